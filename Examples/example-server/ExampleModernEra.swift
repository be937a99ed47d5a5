import Foundation
import JSONRPC
import NIOConcurrencyHelpers
import NIOCore

/// Where the answer of one modern (2026-07-28) request and its request-scoped notifications go:
/// stdout for stdio, the POST's response for HTTP.
protocol ModernReply: AnyObject, Sendable {
    /// A notification that belongs to this request (progress, log) or, for a listen, a tagged event.
    func notify(_ bytes: ByteBuffer)
    /// The JSON-RPC response; `status` is the HTTP status its error maps to (200 for a result).
    func finish(_ bytes: ByteBuffer, status: Int)
    /// A listen opened on this reply with `token` (HTTP ends it when the stream closes).
    func openedListen(_ era: ModernEra, token: UInt64)
}

extension ModernReply {
    func openedListen(_ era: ModernEra, token: UInt64) {}
}

/// A modern request refused with a JSON-RPC error.
struct ModernError: Error {
    let code: Int
    let message: String
    var data: JSONValue?

    /// The HTTP status the spec gives the code (handler errors travel in a 200).
    var httpStatus: Int {
        switch code {
        case -32601: return 404
        case -32700, -32600, -32602, -32020, -32021, -32022: return 400
        default: return 200
        }
    }

    func encoded(id: [UInt8]?) -> ByteBuffer {
        JSONRPCEncoder.errorResponse(idBytes: id, code: JSONRPCErrorCode(rawValue: code), message: message, data: data?.encoded)
    }

    static func unsupportedVersion(_ requested: String, message: String = "Unsupported protocol version") -> ModernError {
        ModernError(code: -32022, message: message, data: .object([
            "supported": .array([.string(ModernEra.version)]), "requested": .string(requested),
        ]))
    }
}

/// The request being served, for notifications sent from inside a tool.
struct ModernRequestContext: Sendable {
    let reply: any ModernReply
    /// `_meta["io.modelcontextprotocol/logLevel"]`: without it no `notifications/message` is sent.
    let logLevel: String?
}

/// `--modern` / `--dual-era`: the 2026-07-28 protocol for the example server. State that spans
/// requests is the server's own (counter, extra tool) and the open listens; a request's
/// capabilities and version come from its own `_meta` only.
final class ModernEra: Sendable {
    /// The one modern revision served.
    static let version = "2026-07-28"
    static let versionKey = "io.modelcontextprotocol/protocolVersion"
    static let capabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    static let logLevelKey = "io.modelcontextprotocol/logLevel"
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
    static let subscriptionKey = "io.modelcontextprotocol/subscriptionId"

    /// Which eras are served.
    enum Mode: Sendable { case modernOnly, dual }
    /// The era a stdio connection serves (dual: the first request decides).
    enum Era: Sendable { case modern, legacy }

    @TaskLocal static var current: ModernRequestContext?

    let mode: Mode
    /// The key that seals MRTR `requestState`; random per process.
    let key: [UInt8]
    let listens = NIOLockedValueBox<[UInt64: ModernListen]>([:])
    let nextListen = NIOLockedValueBox<UInt64>(1)
    let stdioEra = NIOLockedValueBox<Era?>(nil)

    init(mode: Mode) {
        self.mode = mode
        var generator = SystemRandomNumberGenerator()
        self.key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// True when `params` carries a modern envelope (a `_meta` with the protocol version key).
    static func hasEnvelope(_ params: JSONValue) -> Bool {
        params["_meta"]?[versionKey] != nil
    }
}

/// Looks up every value of a request header (name in lower case); nil on stdio.
typealias ModernHeaders = @Sendable (String) -> [String]

extension ExampleServer {
    // MARK: stdio entry

    /// Serves `message` when it belongs to the modern era on this stdio connection; false when
    /// the legacy code should handle it.
    func interceptModern(_ message: JSONRPCMessage) -> Bool {
        guard let modern else { return false }
        switch message.envelope.kind {
        case .notification:
            guard message.envelope.method == .cancelled, let id = message.envelope.cancelledRequestID else { return false }
            if modern.endListen(where: { $0.id == id }) { return true }
            guard modern.mode == .modernOnly || modern.stdioEra.withLockedValue({ $0 }) == .modern else { return false }
            // Modern ids may be reused once answered: only a request still running is marked cancelled.
            let task = state.withLockedValue { state -> Task<Void, Never>? in
                guard let task = state.running.removeValue(forKey: id) else { return nil }
                state.cancelled.insert(id)
                return task
            }
            if task != nil { FileHandle.standardError.write(Data("example-server: request \(id) was cancelled by its client\n".utf8)) }
            task?.cancel()
            return true
        case .request:
            guard let method = message.envelope.method, let idRange = message.envelope.idRange, let requestID = message.envelope.id else { return false }
            let params = message.envelope.paramsRange.map { JSONValue(JSONView(message: message, range: $0)) } ?? .object([:])
            let enveloped = method != .initialize && ModernEra.hasEnvelope(params)
            let era: ModernEra.Era = modern.mode == .modernOnly ? .modern : modern.stdioEra.withLockedValue { era in
                if era == nil { era = enveloped ? .modern : .legacy }
                return era ?? .legacy
            }
            if era == .legacy {
                guard enveloped else { return false }
                fail(message.rawBytes(idRange), .invalidRequest,
                     "this connection serves the handshake protocol era; requests carrying the \(ModernEra.version) envelope are not accepted on it")
                return true
            }
            let reply = StdioModernReply(server: self)
            // Under the lock, so the task cannot finish (and clean up) before it is registered.
            state.withLockedValue { state in
                if let task = serveModern(message, headers: nil, reply: reply) { state.running[requestID] = task }
            }
            return true
        default:
            return false
        }
    }

    // MARK: Any transport

    /// Validates and serves one modern request; returns the task running it (nil when it was
    /// answered at once or is a listen). On stdio `headers` is nil.
    @discardableResult
    func serveModern(_ message: JSONRPCMessage, headers: ModernHeaders?, reply: any ModernReply) -> Task<Void, Never>? {
        guard let modern, let method = message.envelope.method, let idRange = message.envelope.idRange,
              let requestID = message.envelope.id else { return nil }
        let id = message.rawBytes(idRange)
        if let file = faults.countRequestsFile {
            FaultState.append("\(getpid()) session=\(sessionNumber) \(method.name)", to: file)
        }
        let params = message.envelope.paramsRange.map { JSONValue(JSONView(message: message, range: $0)) } ?? .object([:])
        if let error = validateModern(method: method, params: params, headers: headers) {
            reply.finish(error.encoded(id: id), status: error.httpStatus)
            return nil
        }
        let meta = params["_meta"] ?? .object([:])
        if method == .subscriptionsListen {
            reply.openedListen(modern, token: modern.startListen(id: requestID, params: params, reply: reply))
            return nil
        }
        let context = ModernRequestContext(reply: reply, logLevel: meta[ModernEra.logLevelKey]?.stringValue)
        let progressToken = message.envelope.progressToken
        return Task { [self] in
            let outcome = await ModernEra.$current.withValue(context) {
                await dispatchModern(method, params: params, progressToken: progressToken, requestID: requestID)
            }
            let stdio = headers == nil
            let cancelled = stdio ? state.withLockedValue { state -> Bool in
                state.running.removeValue(forKey: requestID)
                return state.cancelled.remove(requestID) != nil
            } : Task.isCancelled
            guard !cancelled else { return }
            switch outcome {
            case .success(let result):
                reply.finish(JSONRPCEncoder.result(idBytes: id, result: completed(result).encoded), status: 200)
            case .failure(let error):
                reply.finish(error.encoded(id: id), status: error.httpStatus)
            }
        }
    }

    /// The validation ladder of 2026-07-28 (era-2026.md §2.2); nil when the request may be served.
    func validateModern(method: MCPMethod, params: JSONValue, headers: ModernHeaders?) -> ModernError? {
        if method == .initialize {
            let message = modern?.mode == .dual
                ? "this connection serves protocol \(ModernEra.version); the initialize handshake is not accepted on it"
                : "this server serves protocol \(ModernEra.version) only; the initialize handshake is not accepted"
            return .unsupportedVersion(params["protocolVersion"]?.stringValue ?? "", message: message)
        }
        guard case .object(let meta)? = params["_meta"] else {
            return ModernError(code: -32602, message: "params._meta must be an object carrying the required '\(ModernEra.versionKey)' and '\(ModernEra.capabilitiesKey)' envelope keys")
        }
        let missing = [ModernEra.versionKey, ModernEra.capabilitiesKey].filter { meta[$0] == nil }
        if !missing.isEmpty {
            return ModernError(code: -32602, message: "params._meta is missing the required envelope key(s): \(missing.joined(separator: ", "))")
        }
        if let headers, let mismatch = ModernHeaderCheck.mismatch(method: method, params: params, headers: headers) {
            return ModernError(code: -32020, message: mismatch)
        }
        guard let version = meta[ModernEra.versionKey]?.stringValue else {
            return ModernError(code: -32602, message: "'\(ModernEra.versionKey)' must be a string")
        }
        guard version == ModernEra.version else { return .unsupportedVersion(version) }
        return nil
    }

    /// The result of a validated modern request (without `resultType` and `_meta`).
    func dispatchModern(_ method: MCPMethod, params: JSONValue, progressToken: JSONRPCID?, requestID: JSONRPCID) async -> Result<JSONValue, ModernError> {
        switch method {
        case .serverDiscover:
            return .success(cacheable([
                "supportedVersions": .array([.string(ModernEra.version)]),
                "capabilities": .object([
                    "tools": .object(["listChanged": .bool(true)]),
                    "resources": .object(["subscribe": .bool(true), "listChanged": .bool(true)]),
                    "prompts": .object(["listChanged": .bool(true)]),
                    "logging": .object([:]),
                    "completions": .object([:]),
                ]),
                "instructions": .string("Example server '\(name)' (\(ModernEra.version)): echo, add, progress, slow, sample, elicit, roots (MRTR), fail, bump, toggle_extra, log."),
            ]))
        case .toolsList:
            return .success(cacheable(page(of: toolDefinitions() + [Self.whereTool], key: "tools", params: params)))
        case .toolsCall:
            if let mrtr = modernInputTool(params) { return mrtr }
            if params["name"]?.stringValue == "where" {
                let arguments = params["arguments"] ?? .object([:])
                return .success(Self.text("\(arguments["region"]?.stringValue ?? ""):\(arguments["query"]?.stringValue ?? "")"))
            }
            switch await callTool(params, progressToken: progressToken, requestID: requestID) {
            case .success(let value): return .success(value)
            case .failure(let error): return .failure(ModernError(code: error.code.rawValue, message: error.message))
            }
        case .resourcesList:
            return .success(cacheable(page(of: resourceDefinitions(), key: "resources", params: params)))
        case .resourcesTemplatesList:
            return .success(cacheable(page(of: templateDefinitions(), key: "resourceTemplates", params: params)))
        case .resourcesRead:
            let uri = params["uri"]?.stringValue ?? ""
            guard let text = resourceText(uri) else {
                return .failure(ModernError(code: -32602, message: "Resource not found: \(uri)", data: .object(["uri": .string(uri)])))
            }
            return .success(cacheable(.object(["contents": .array([.object([
                "uri": .string(uri), "mimeType": .string("text/plain"), "text": .string(text),
            ])])])))
        case .promptsList:
            return .success(cacheable(page(of: promptDefinitions(), key: "prompts", params: params)))
        case .promptsGet:
            guard let result = promptResult(params) else {
                return .failure(ModernError(code: -32602, message: "Unknown prompt: \(params["name"]?.stringValue ?? "")"))
            }
            return .success(result)
        case .completionComplete:
            return .success(completionResult(params))
        default:
            return .failure(ModernError(code: -32601, message: "Method not found", data: .string(method.name)))
        }
    }

    /// The modern-only tool `where`: `region` carries `x-mcp-header: Region`, so HTTP clients mirror
    /// it into `Mcp-Param-Region` (checked by ModernHeaderCheck).
    static let whereTool: JSONValue = .object([
        "name": .string("where"),
        "description": .string("Returns region:query; region is mirrored into the Mcp-Param-Region header"),
        "inputSchema": .object([
            "type": .string("object"),
            "properties": .object([
                "region": .object(["type": .string("string"), "x-mcp-header": .string("Region")]),
                "query": .object(["type": .string("string")]),
            ]),
            "required": .array([.string("region")]),
        ]),
    ])

    /// `result` with `ttlMs` and `cacheScope` (lists, resources/read, server/discover).
    func cacheable(_ result: JSONValue) -> JSONValue {
        guard case .object(var members) = result else { return result }
        members["ttlMs"] = .int(0)
        members["cacheScope"] = .string("public")
        return .object(members)
    }

    func cacheable(_ members: [String: JSONValue]) -> JSONValue {
        cacheable(.object(members))
    }

    /// `result` with `resultType: "complete"` (unless it has one) and the server's identity in `_meta`.
    func completed(_ result: JSONValue) -> JSONValue {
        guard case .object(var members) = result else { return result }
        if members["resultType"] == nil { members["resultType"] = .string("complete") }
        var meta = members["_meta"]?.objectValue ?? [:]
        meta[ModernEra.serverInfoKey] = .object(["name": .string("example-server-\(name)"), "version": .string("1.0.0")])
        members["_meta"] = .object(meta)
        return .object(members)
    }

    /// Sends a notification raised inside a modern request where it belongs: change
    /// notifications to the listens that asked for them, progress and log messages to the
    /// request's own stream. False when the legacy path should send it.
    func routeModernNotification(_ method: String, _ params: JSONValue) -> Bool {
        guard let modern else { return false }
        switch method {
        case "notifications/tools/list_changed", "notifications/resources/list_changed",
             "notifications/prompts/list_changed", "notifications/resources/updated":
            guard ModernEra.current != nil else { return false }
            modern.broadcast(method, params)
            return true
        case "notifications/message":
            guard let context = ModernEra.current else { return false }
            if context.logLevel != nil { context.reply.notify(JSONRPCEncoder.notification(method: method, params: params.encoded)) }
            return true
        default:
            guard let context = ModernEra.current else { return false }
            context.reply.notify(JSONRPCEncoder.notification(method: method, params: params.encoded))
            return true
        }
    }
}

/// Answers a stdio request on stdout.
final class StdioModernReply: ModernReply {
    let server: ExampleServer

    init(server: ExampleServer) {
        self.server = server
    }

    func notify(_ bytes: ByteBuffer) { server.send(bytes) }
    func finish(_ bytes: ByteBuffer, status: Int) { server.send(bytes) }
}
