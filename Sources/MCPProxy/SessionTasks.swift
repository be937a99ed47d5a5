import JSONRPC
import MCPSecurity

/// Tasks through the proxy (issue #11, item 8): the 2026-07-28 `io.modelcontextprotocol/tasks`
/// extension (`tasks/get`, `tasks/update`, `tasks/cancel`) and the 2025-11-25 `tasks`
/// capability (`tasks/get`, `tasks/result`, `tasks/cancel`).
///
/// An upstream that runs a request as a task answers with its own task id. The client sees that
/// id namespaced by upstream and bound to its principal (``TaskIDNamespace``); a task request
/// is routed by the id to its upstream, with the upstream's own id put back. An id that was not
/// minted for this principal (altered, made up, another user's, or from before a restart) is
/// refused with -32602 and never reaches an upstream.
extension ProxySession {
    /// Routes a task request by its task id; false when `method` is not one (the caller goes on).
    func routeTaskRequest(_ message: JSONRPCMessage, method: MCPMethod, id: [UInt8], route: ReplyRoute) -> Bool {
        switch method {
        case .tasksGet, .tasksCancel, .tasksResult:
            break
        case .other(let name) where name == "tasks/update":
            break
        default:
            return false
        }
        guard let paramsRange = message.envelope.paramsRange, let taskID = JSONView(message: message, range: paramsRange)["taskId"],
              let exposed = taskID.string else {
            replyError(route, id: id, code: .invalidParams, message: "params.taskId is required and must be a string")
            return true
        }
        guard let target = TaskIDRewriter.namespace.resolve(exposed, principal: principal.identityKey),
              let upstream = services.first(where: { $0.name == target.upstream }), serves(upstream) else {
            replyError(route, id: id, code: .invalidParams,
                       message: "Unknown task: '\(exposed)'. Pass a taskId exactly as this proxy returned it, as the client that created the task")
            return true
        }
        let series = stats.requestSeries(upstream: upstream.name, method: method.name, tool: nil)
        routeToUpstream(message, id: id, route: route, index: upstream.index,
                        edits: [ByteSplice(range: taskID.range, replacement: JSONString.encode(target.taskID))], series: series)
        return true
    }

    /// The splices that show the task ids in an upstream's answer to `request` as this client
    /// sees them. Answers to task requests are always looked at; a `tools/call` answer only once
    /// some session offered tasks and when its upstream runs them.
    func taskIDEdits(in message: JSONRPCMessage, request: ForwardedRequest, upstream: UpstreamConnection) -> [ByteSplice] {
        switch request.method {
        case .toolsCall:
            guard TaskIDRewriter.offered.load(ordering: .relaxed),
                  let capabilities = upstream.initializeResult?.capabilities, TaskIDRewriter.runsTasks(capabilities) else { return [] }
        case .tasksGet, .tasksCancel, .tasksResult, .tasksList:
            break
        default:
            return []
        }
        guard let resultRange = message.envelope.resultRange else { return [] }
        let principal = principal.identityKey
        let upstreamName = upstream.name
        return TaskIDRewriter.edits(inResult: JSONView(message: message, range: resultRange)) {
            TaskIDRewriter.namespace.exposed($0, upstream: upstreamName, principal: principal)
        }
    }

    /// A 2025-11-25 `notifications/tasks/status`: relayed to a handshake-era client with the task
    /// id as it knows it, only from an upstream session of this client's own. A shared upstream's
    /// could be about another client's task, and the id would be minted for this client's
    /// principal, so it is dropped (clients poll, which the spec requires them to support).
    func forwardTaskStatus(_ upstream: UpstreamConnection, message: JSONRPCMessage) {
        guard !services[upstream.index].isShared, !state.withLockedValue({ $0.modernClient }),
              let paramsRange = message.envelope.paramsRange,
              let taskID = JSONView(message: message, range: paramsRange)["taskId"], let id = taskID.string else { return }
        let exposed = TaskIDRewriter.namespace.exposed(id, upstream: upstream.name, principal: principal.identityKey)
        sendOrHoldForClient(message.splicing(taskID.range, with: JSONString.encode(exposed)))
    }

    /// Adds the 2025-11-25 `tasks` capability to a handshake-era merge when an upstream has it.
    func addHandshakeTaskCapability(_ capabilities: inout [String: JSONValue], upstreams: [ServerCapabilities]) {
        upstreams.forEach(TaskIDRewriter.note)
        if let tasks = TaskIDRewriter.mergedHandshakeCapability(upstreams) { capabilities["tasks"] = tasks }
    }

    /// The `server/discover` result's capabilities: the tasks extension when an upstream offers
    /// it, and no 2025-11-25 `tasks` entry.
    func applyModernTaskCapabilities(_ result: inout [String: JSONValue]) {
        guard case .object(var capabilities)? = result["capabilities"] else { return }
        let upstreams = services.compactMap { serves($0) ? $0.initializeResult?.capabilities : nil }
        TaskIDRewriter.modernCapabilities(&capabilities, upstreams: upstreams)
        result["capabilities"] = .object(capabilities)
    }
}
