import JSONRPC
import MCPSecurity
import Synchronization

/// Where task ids sit in what an upstream answers, and the task capabilities the proxy offers.
///
/// Task ids are namespaced per upstream and bound to the caller's principal by
/// ``TaskIDNamespace``; this type finds the ids to rewrite in results (both eras):
/// `result.taskId` (2026-07-28 `CreateTaskResult` and every `tasks/get` and 2025-11-25
/// `tasks/get`/`tasks/cancel` result), `result.task.taskId` (2025-11-25 `CreateTaskResult`),
/// `result.tasks[].taskId` (2025-11-25 `tasks/list`) and
/// `result._meta["io.modelcontextprotocol/related-task"].taskId` (2025-11-25 `tasks/result`).
enum TaskIDRewriter {
    /// The extension's identifier in `capabilities.extensions` (2026-07-28).
    static let extensionID = "io.modelcontextprotocol/tasks"
    /// The `_meta` key that ties a 2025-11-25 message to its task.
    static let relatedTaskKey = "io.modelcontextprotocol/related-task"

    /// The proxy's namespace, keyed by a random secret of this process: ids do not survive a
    /// restart of the proxy, as the upstream's tasks of a stdio child would not either.
    static let namespace: TaskIDNamespace = {
        var generator = SystemRandomNumberGenerator()
        return TaskIDNamespace(secret: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }()

    /// Set once the proxy saw an upstream that runs tasks (its lists are loaded before any of its
    /// tools can be called); until then no `tools/call` answer is looked at (one relaxed load
    /// per answer), so proxies without task upstreams pay nothing more.
    static let offered = Atomic<Bool>(false)

    /// Notes an upstream's capabilities as the proxy learns them (catalog loads, capability
    /// merges): one that runs tasks turns ``offered`` on for good.
    static func note(_ capabilities: ServerCapabilities) {
        if !offered.load(ordering: .relaxed), runsTasks(capabilities) { offered.store(true, ordering: .relaxed) }
    }

    /// The splices that show every task id in `result` as `exposed(id)`.
    static func edits(inResult result: JSONView, exposed: (String) -> String) -> [ByteSplice] {
        var edits: [ByteSplice] = []
        func rewrite(_ view: JSONView?) {
            guard let view, let id = view.string else { return }
            edits.append(ByteSplice(range: view.range, replacement: JSONString.encode(exposed(id))))
        }
        rewrite(result["taskId"])
        rewrite(result["task"]?["taskId"])
        if let tasks = result["tasks"], tasks.kind == .array {
            for task in tasks.elements { rewrite(task["taskId"]) }
        }
        rewrite(result["_meta"]?[relatedTaskKey]?["taskId"])
        return edits.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// Whether an upstream runs tasks for clients: the 2026-07-28 extension or the 2025-11-25
    /// `tasks` capability.
    static func runsTasks(_ capabilities: ServerCapabilities) -> Bool {
        offersExtension(capabilities) || handshakeTasks(capabilities) != nil
    }

    /// Whether `capabilities.extensions` names the tasks extension.
    static func offersExtension(_ capabilities: ServerCapabilities) -> Bool {
        guard case .object(let extensions)? = capabilities.raw["extensions"], case .object? = extensions[extensionID] else { return false }
        return true
    }

    /// The 2025-11-25 `tasks` capability object, if declared.
    static func handshakeTasks(_ capabilities: ServerCapabilities) -> [String: JSONValue]? {
        guard case .object(let tasks)? = capabilities.raw["tasks"] else { return nil }
        return tasks
    }

    /// The 2025-11-25 `tasks` capability the proxy offers a handshake-era client over the
    /// upstreams' (nil: none has it): `cancel` if one cancels, `requests` merged. `list` is not
    /// offered: the proxy does not merge `tasks/list`.
    static func mergedHandshakeCapability(_ upstreams: [ServerCapabilities]) -> JSONValue? {
        var any = false
        var cancel = false
        var requests: [String: JSONValue] = [:]
        for capabilities in upstreams {
            guard let tasks = handshakeTasks(capabilities) else { continue }
            any = true
            if case .object? = tasks["cancel"] { cancel = true }
            if case .object(let offered)? = tasks["requests"] {
                for (kind, value) in offered {
                    guard case .object(let methods) = value else { continue }
                    var merged: [String: JSONValue] = [:]
                    if case .object(let known)? = requests[kind] { merged = known }
                    for (method, detail) in methods { merged[method] = detail }
                    requests[kind] = .object(merged)
                }
            }
        }
        guard any else { return nil }
        var result: [String: JSONValue] = [:]
        if cancel { result["cancel"] = .object([:]) }
        if !requests.isEmpty { result["requests"] = .object(requests) }
        return .object(result)
    }

    /// 2026-07-28 `server/discover` capabilities: the 2025-11-25 `tasks` entry removed (that era's
    /// tasks are core, this era's are an extension), and the extension added when an upstream
    /// offers it.
    static func modernCapabilities(_ capabilities: inout [String: JSONValue], upstreams: [ServerCapabilities]) {
        capabilities.removeValue(forKey: "tasks")
        guard upstreams.contains(where: offersExtension) else { return }
        var extensions: [String: JSONValue] = [:]
        if case .object(let existing)? = capabilities["extensions"] { extensions = existing }
        extensions[extensionID] = .object([:])
        capabilities["extensions"] = .object(extensions)
    }
}
