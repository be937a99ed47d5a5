import Foundation
import JSONRPC
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore

/// The example MCP server: handshake, dispatch, requests to the client, and notifications.
final class ExampleServer: MessageSink, @unchecked Sendable {
    // @unchecked: mutable state lives in `state` (a lock); the rest is set in init.
    let name: String
    let pageSize: Int
    let transport: any MessageTransport
    /// Fault injection (see ExampleFaults.swift); off by default.
    let faults: FaultOptions
    /// This session's number in the process (1, 2, ... over `--http`); `whoami` reports it.
    let sessionNumber: Int
    /// `--modern` / `--dual-era`: the 2026-07-28 protocol (ExampleModernEra.swift); nil = handshake era only.
    let modern: ModernEra?
    let scanner = JSONRPCScanner()
    let state = NIOLockedValueBox(State())
    private let done = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)

    struct State {
        var clientCapabilities = ClientCapabilities()
        var nextRequestID: Int64 = 1
        var waiting: [Int64: CheckedContinuation<JSONRPCMessage?, Never>] = [:]
        var cancelled: Set<JSONRPCID> = []
        var running: [JSONRPCID: Task<Void, Never>] = [:]
        var subscriptions: Set<String> = []
        var counter = 0
        var extraTool = false
        var logLevel = "info"
    }

    init(name: String, pageSize: Int, transport: any MessageTransport, faults: FaultOptions = FaultOptions(), modern: ModernEra? = nil) {
        self.name = name
        self.modern = modern
        self.pageSize = pageSize
        self.transport = transport
        self.faults = faults
        self.sessionNumber = FaultState.nextSession()
    }

    func run() async throws {
        await withCheckedContinuation { continuation in
            done.withLockedValue { $0 = continuation }
            Task {
                do {
                    try await transport.start(sink: self)
                } catch {
                    FileHandle.standardError.write(Data("example-server: \(error)\n".utf8))
                    self.transportClosed(.failed("\(error)"))
                }
            }
        }
    }

    // MARK: MessageSink

    func transportReceived(_ frame: InboundFrame) {
        if faults.mayFreeze, !FaultState.admit(hangAfter: faults.hangAfter) { return }
        guard case .message(let bytes) = frame else {
            send(JSONRPCEncoder.errorResponse(idBytes: nil, code: .invalidRequest, message: "message too large"))
            return
        }
        let message: JSONRPCMessage
        do {
            message = try scanner.scanMessage(bytes)
        } catch {
            send(JSONRPCEncoder.errorResponse(idBytes: error.idBytes, code: error.code, message: error.message))
            return
        }
        if modern != nil, interceptModern(message) { return }
        if interceptTask(message) { return }  // --tasks (ExampleTasks.swift)
        switch message.envelope.kind {
        case .request:
            handleRequest(message)
        case .notification:
            handleNotification(message)
        case .successResponse, .errorResponse:
            if case .number(let id)? = message.envelope.id,
               let waiter = state.withLockedValue({ $0.waiting.removeValue(forKey: id) }) {
                waiter.resume(returning: message)
            }
        }
    }

    func transportClosed(_ reason: TransportCloseReason) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<JSONRPCMessage?, Never>] in
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        done.withLockedValue { continuation in
            continuation?.resume()
            continuation = nil
        }
    }

    // MARK: Sending

    func send(_ bytes: ByteBuffer) {
        if faults.mayFreeze, FaultState.isFrozen { return }
        transport.send(bytes)
    }

    func respond(_ id: [UInt8], _ result: JSONValue) {
        send(JSONRPCEncoder.result(idBytes: id, result: result.encoded))
    }

    func fail(_ id: [UInt8], _ code: JSONRPCErrorCode, _ message: String) {
        send(JSONRPCEncoder.errorResponse(idBytes: id, code: code, message: message))
    }

    func notify(_ method: String, _ params: JSONValue) {
        if modern != nil, routeModernNotification(method, params) { return }
        send(JSONRPCEncoder.notification(method: method, params: params.encoded))
    }

    /// Sends a request to the client and waits for its response (nil if the client went away).
    func ask(_ method: String, _ params: JSONValue) async -> JSONRPCMessage? {
        await withCheckedContinuation { continuation in
            let id = state.withLockedValue { state -> Int64 in
                let id = state.nextRequestID
                state.nextRequestID += 1
                state.waiting[id] = continuation
                return id
            }
            send(JSONRPCEncoder.request(idBytes: JSONRPCID.number(id).jsonBytes, method: method, params: params.encoded))
        }
    }

    // MARK: Dispatch

    private func handleNotification(_ message: JSONRPCMessage) {
        guard message.envelope.method == .cancelled, let id = message.envelope.cancelledRequestID else { return }
        let task = state.withLockedValue { state -> Task<Void, Never>? in
            state.cancelled.insert(id)
            return state.running.removeValue(forKey: id)
        }
        if task != nil { FileHandle.standardError.write(Data("example-server: request \(id) was cancelled by its client\n".utf8)) }
        task?.cancel()
    }

    private func handleRequest(_ message: JSONRPCMessage) {
        guard let method = message.envelope.method, let idRange = message.envelope.idRange, let requestID = message.envelope.id else { return }
        if let file = faults.countRequestsFile {
            FaultState.append("\(getpid()) session=\(sessionNumber) \(method.name)", to: file)
        }
        let id = message.rawBytes(idRange)
        let params = message.envelope.paramsRange.map { JSONValue(JSONView(message: message, range: $0)) } ?? .object([:])
        switch method {
        case .initialize:
            initialize(id: id, params: params)
        case .ping:
            respond(id, .object([:]))
        case .toolsList:
            respond(id, page(of: toolDefinitions(), key: "tools", params: params))
        case .toolsCall:
            let task = Task { [self] in
                if let reply = await faultReply(params, id: id) {
                    guard !finished(requestID) else { return }
                    await deliver(reply, id: id)
                    return
                }
                let result = await callTool(params, progressToken: message.envelope.progressToken, requestID: requestID)
                guard !finished(requestID) else { return }
                switch result {
                case .success(let value): respond(id, value)
                case .failure(let error): fail(id, error.code, error.message)
                }
            }
            state.withLockedValue { $0.running[requestID] = task }
        case .resourcesList:
            respond(id, page(of: resourceDefinitions(), key: "resources", params: params))
        case .resourcesTemplatesList:
            respond(id, page(of: templateDefinitions(), key: "resourceTemplates", params: params))
        case .resourcesRead:
            readResource(id: id, uri: params["uri"]?.stringValue ?? "")
        case .resourcesSubscribe, .resourcesUnsubscribe:
            let uri = params["uri"]?.stringValue ?? ""
            state.withLockedValue { state in
                if method == .resourcesSubscribe { state.subscriptions.insert(uri) } else { state.subscriptions.remove(uri) }
            }
            respond(id, .object([:]))
        case .promptsList:
            respond(id, page(of: promptDefinitions(), key: "prompts", params: params))
        case .promptsGet:
            getPrompt(id: id, params: params)
        case .completionComplete:
            complete(id: id, params: params)
        case .loggingSetLevel:
            state.withLockedValue { $0.logLevel = params["level"]?.stringValue ?? "info" }
            respond(id, .object([:]))
        default:
            fail(id, .methodNotFound, "Method not found: \(method.name)")
        }
    }

    /// Forgets a finished tool call; true when the client cancelled it (then nothing is sent).
    private func finished(_ requestID: JSONRPCID) -> Bool {
        state.withLockedValue { state -> Bool in
            state.running.removeValue(forKey: requestID)
            return state.cancelled.remove(requestID) != nil
        }
    }

    private func initialize(id: [UInt8], params: JSONValue) {
        if let file = faults.countInitializeFile {
            let client = params["clientInfo"]?["name"]?.stringValue ?? "?"
            let declared = params["capabilities"]?.objectValue?.keys.sorted().joined(separator: ",") ?? ""
            FaultState.append("\(getpid()) \(name) session=\(sessionNumber) client=\(client) capabilities=\(declared)", to: file)
        }
        let requested = params["protocolVersion"]?.stringValue ?? ProtocolVersion.latestHandshake.rawValue
        let version = ProtocolVersion.negotiate(requested: requested, supported: ProtocolVersion.handshakeEra)
        if case .object(let raw)? = params["capabilities"] {
            state.withLockedValue { $0.clientCapabilities = ClientCapabilities(raw: raw) }
        }
        respond(id, .object([
            "protocolVersion": .string(version.rawValue),
            "capabilities": .object([
                "tools": .object(["listChanged": .bool(true)]),
                "resources": .object(["subscribe": .bool(true), "listChanged": .bool(true)]),
                "prompts": .object(["listChanged": .bool(true)]),
                "logging": .object([:]),
                "completions": .object([:]),
            ].merging(ExampleTasks.capabilities) { current, _ in current }),
            "serverInfo": .object(["name": .string("example-server-\(name)"), "version": .string("1.0.0")]),
            "instructions": .string("Example server '\(name)': echo, add, progress, slow, sample, elicit, roots, fail, crash, bump, log."),
        ]))
    }

    /// One page of a list, with this server's own opaque cursor (an offset).
    func page(of items: [JSONValue], key: String, params: JSONValue) -> JSONValue {
        let start = params["cursor"]?.stringValue.flatMap { Int($0.dropFirst("page-".count)) } ?? 0
        guard pageSize > 0 else { return .object([key: .array(items)]) }
        let end = min(start + pageSize, items.count)
        var result: [String: JSONValue] = [key: .array(Array(items[min(start, items.count)..<end]))]
        if end < items.count { result["nextCursor"] = .string("page-\(end)") }
        return .object(result)
    }
}

/// A tool failure reported as a JSON-RPC error.
struct ToolError: Error {
    let code: JSONRPCErrorCode
    let message: String
}
