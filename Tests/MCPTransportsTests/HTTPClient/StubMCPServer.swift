import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP request the stub MCP server received, with what it made of it.
struct StubMCPRecord: Sendable {
    var request: StubHTTPRequest
    /// The JSON-RPC method of a POSTed request or notification.
    var rpcMethod: String?
    /// The JSON-RPC id of a POSTed request or response.
    var rpcID: JSONRPCID?
    var kind: MessageKind?
    /// The HTTP status it answered.
    var status: Int

    var sessionID: String? { request.header("mcp-session-id") }
    var protocolVersion: String? { request.header("mcp-protocol-version") }
    var lastEventID: String? { request.header("last-event-id") }
}

/// A scripted Streamable HTTP MCP server at `/mcp`.
///
/// `initialize` opens session `s-N` (header `Mcp-Session-Id`); other requests must carry the live
/// session (an expired one gets 404, none gets 400). `tools/call` behaves by tool name:
/// `json` (one JSON response), `array` (a JSON array: progress, then the response), `sse` (an event
/// stream: progress, a server request, the response), `cut` (an event stream that breaks after the
/// progress event; GET with `Last-Event-ID: cut-1` delivers the response), `fail503` (HTTP 503),
/// `hang` (never answers), `slow` (answers after 1 s), `big` (a response of 4000 bytes), `bigchunks`
/// (a JSON response of 10,000 bytes written in ten chunks), `drip` (an event stream: progress, then
/// the response once `releaseHeldResponses` is called, its `data` line split across two writes), `ssehang` (an event
/// stream: progress, then nothing), `sseopen` (an event stream: the response, and the stream stays
/// open). The notification `notifications/slow` is accepted (202) only after 300 ms; `timeline`
/// tells when each POST arrived and when the slow one was answered. The GET stream is refused
/// (405) or pushes `notifications/tools/list_changed` and the request `roots/list` (id "srv-1")
/// and stays open.
final class StubMCPServer: Sendable {
    enum GetMode: Sendable { case notAllowed, stream }

    let http: StubHTTPServer
    private let state: NIOLockedValueBox<State>

    private struct State {
        var getMode: GetMode
        var log: [StubMCPRecord] = []
        var sessionCount = 0
        var liveSession: String?
        var expired: Set<String> = []
        var pendingCut: [String: ByteBuffer] = [:]
        var openStreams: [StubHTTPResponder] = []
        var timeline: [String] = []
        var heldPosts: [StubHTTPResponder] = []
        var heldResponses: [(responder: StubHTTPResponder, event: String)] = []
    }

    static let protocolVersion = "2025-11-25"
    static let initializeResult = #"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"stub","version":"1"}}"#

    private init(http: StubHTTPServer, state: NIOLockedValueBox<State>) {
        self.http = http
        self.state = state
    }

    static func start(getMode: GetMode = .notAllowed, tls: NIOSSLContext? = nil) async throws -> StubMCPServer {
        let state = NIOLockedValueBox(State(getMode: getMode))
        let box = NIOLockedValueBox<StubMCPServer?>(nil)
        let http = try await StubHTTPServer.start(tls: tls) { request, responder in
            guard let server = box.withLockedValue({ $0 }) else {
                responder.respond(.serviceUnavailable)
                return
            }
            await server.handle(request, responder)
        }
        let server = StubMCPServer(http: http, state: state)
        box.withLockedValue { $0 = server }
        return server
    }

    var url: String { http.url("/mcp") }

    func stop() async {
        await http.stop()
    }

    /// Ends the live session: requests carrying it get 404 from now on.
    func expireSession() {
        state.withLockedValue { state in
            if let live = state.liveSession { state.expired.insert(live) }
            state.liveSession = nil
        }
    }

    /// Closes the open GET streams (as a restarting server would).
    func dropEventStreams() async {
        let streams = state.withLockedValue { state -> [StubHTTPResponder] in
            defer { state.openStreams.removeAll() }
            return state.openStreams
        }
        for stream in streams { try? await stream.channel.close() }
    }

    /// Everything received so far, in order of arrival.
    var log: [StubMCPRecord] { state.withLockedValue { $0.log } }

    /// "arrived <method>" for each POST and "answered <method>" when a slow notification was
    /// answered, in order.
    var timeline: [String] { state.withLockedValue { $0.timeline } }

    /// The POST connections whose answers were left open (`sseopen`, `ssehang`).
    var heldPosts: [StubHTTPResponder] { state.withLockedValue { $0.heldPosts } }

    /// Finishes the `drip` answers held back so far: each response event goes out in two writes.
    func releaseHeldResponses() async {
        let held = state.withLockedValue { state -> [(responder: StubHTTPResponder, event: String)] in
            defer { state.heldResponses.removeAll() }
            return state.heldResponses
        }
        for (responder, event) in held {
            let middle = event.index(event.startIndex, offsetBy: event.count / 2)
            responder.write(String(event[..<middle]))
            try? await Task.sleep(for: .milliseconds(50))
            responder.write(String(event[middle...]))
            responder.end()
        }
    }

    /// Whether a `drip` answer waits for `releaseHeldResponses`.
    var holdsResponses: Bool { state.withLockedValue { !$0.heldResponses.isEmpty } }

    /// The records of POSTs with this JSON-RPC method.
    func records(_ rpcMethod: String) -> [StubMCPRecord] {
        log.filter { $0.rpcMethod == rpcMethod }
    }

    /// The exact response the stub sends for `method` with `id` (tool name for tools/call).
    static func response(id: String, method: String, tool: String? = nil) -> String {
        switch method {
        case "initialize": return #"{"jsonrpc":"2.0","id":\#(id),"result":\#(initializeResult)}"#
        case "tools/call": return #"{"jsonrpc":"2.0","id":\#(id),"result":{"content":[{"type":"text","text":"\#(tool ?? "")"}]}}"#
        default: return #"{"jsonrpc":"2.0","id":\#(id),"result":{}}"#
        }
    }

    static func progress(token: String) -> String {
        #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":\#(token),"progress":1}}"#
    }

    static let samplingRequest = #"{"jsonrpc":"2.0","id":"srv-9","method":"sampling/createMessage","params":{}}"#
    static let listChanged = #"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#
    static let rootsRequest = #"{"jsonrpc":"2.0","id":"srv-1","method":"roots/list"}"#

    // MARK: Handling

    private func record(_ request: StubHTTPRequest, _ message: JSONRPCMessage?, status: Int) {
        let entry = StubMCPRecord(
            request: request, rpcMethod: message?.envelope.method?.name, rpcID: message?.envelope.id,
            kind: message?.envelope.kind, status: status)
        state.withLockedValue { $0.log.append(entry) }
    }

    /// 404 for an expired session, 400 for none or an unknown one, nil when the session is live.
    private func sessionProblem(_ request: StubHTTPRequest) -> HTTPResponseStatus? {
        state.withLockedValue { state in
            guard let session = request.header("mcp-session-id") else { return .badRequest }
            if state.expired.contains(session) { return .notFound }
            return session == state.liveSession ? nil : .badRequest
        }
    }

    private func handle(_ request: StubHTTPRequest, _ responder: StubHTTPResponder) async {
        switch request.method {
        case .POST: await handlePost(request, responder)
        case .GET: handleGet(request, responder)
        case .DELETE:
            record(request, nil, status: 200)
            responder.respond(.ok)
        default:
            record(request, nil, status: 405)
            responder.respond(.methodNotAllowed)
        }
    }

    private func handleGet(_ request: StubHTTPRequest, _ responder: StubHTTPResponder) {
        if let problem = sessionProblem(request) {
            record(request, nil, status: Int(problem.code))
            responder.respond(problem)
            return
        }
        if let lastID = request.header("last-event-id") {
            let pending = state.withLockedValue { $0.pendingCut.removeValue(forKey: lastID) }
            guard let pending else {
                record(request, nil, status: 404)
                responder.respond(.notFound)
                return
            }
            record(request, nil, status: 200)
            responder.startEventStream()
            responder.write(String(buffer: pending))
            responder.end()
            return
        }
        let mode = state.withLockedValue { $0.getMode }
        guard mode == .stream else {
            record(request, nil, status: 405)
            responder.respond(.methodNotAllowed)
            return
        }
        record(request, nil, status: 200)
        state.withLockedValue { $0.openStreams.append(responder) }
        responder.startEventStream()
        responder.write("id: g-1\ndata: \(Self.listChanged)\n\n")
        responder.write(": keep-alive comment\n\nid: g-2\nevent: message\ndata: \(Self.rootsRequest)\n\n")
    }

    private func handlePost(_ request: StubHTTPRequest, _ responder: StubHTTPResponder) async {
        guard request.header("content-type") == "application/json",
              request.header("accept")?.contains("text/event-stream") == true,
              request.header("accept")?.contains("application/json") == true,
              let message = try? JSONRPCScanner().scanMessage(request.body)
        else {
            record(request, nil, status: 400)
            responder.respond(.badRequest, body: "bad request")
            return
        }
        let method = message.envelope.method?.name
        state.withLockedValue { $0.timeline.append("arrived \(method ?? "a response")") }
        let idText = message.idBytes.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        if method == "initialize" {
            let session = state.withLockedValue { state -> String in
                state.sessionCount += 1
                state.liveSession = "s-\(state.sessionCount)"
                return "s-\(state.sessionCount)"
            }
            record(request, message, status: 200)
            responder.respond(
                .ok, [("Content-Type", "application/json"), ("Mcp-Session-Id", session)],
                body: Self.response(id: idText, method: "initialize"))
            return
        }
        if let problem = sessionProblem(request) {
            record(request, message, status: Int(problem.code))
            responder.respond(problem, body: "session problem")
            return
        }
        guard message.envelope.kind == .request else {
            record(request, message, status: 202)
            if method == "notifications/slow" {
                try? await Task.sleep(for: .milliseconds(300))
                state.withLockedValue { $0.timeline.append("answered notifications/slow") }
            }
            responder.respond(.accepted)
            return
        }
        let tool = message.envelope.name ?? ""
        let response = Self.response(id: idText, method: method ?? "", tool: tool)
        switch (method, tool) {
        case ("tools/call", "fail503"):
            record(request, message, status: 503)
            responder.respond(.serviceUnavailable, body: "overloaded")
        case ("tools/call", "hang"):
            record(request, message, status: 0)
        case ("tools/call", "sse"):
            record(request, message, status: 200)
            responder.startEventStream()
            responder.write("id: e-1\ndata: \(Self.progress(token: idText))\n\n")
            responder.write("id: e-2\ndata: \(Self.samplingRequest)\n\n")
            responder.write("id: e-3\r\ndata: \(response)\r\n\r\n")
            responder.end()
        case ("tools/call", "array"):
            record(request, message, status: 200)
            responder.respond(.ok, [("Content-Type", "application/json")], body: "[\(Self.progress(token: idText)), \(response)]")
        case ("tools/call", "cut"):
            record(request, message, status: 200)
            state.withLockedValue { $0.pendingCut["cut-1"] = ByteBuffer(string: "id: cut-2\ndata: \(response)\n\n") }
            responder.startEventStream()
            responder.write("retry: 50\nid: cut-0\ndata:\n\n")
            responder.write("id: cut-1\ndata: \(Self.progress(token: idText))\n\n")
            try? await Task.sleep(for: .milliseconds(50))
            responder.cut()
        case ("tools/call", "drip"):
            record(request, message, status: 200)
            responder.startEventStream()
            state.withLockedValue { $0.heldResponses.append((responder, "id: d-2\ndata: \(response)\n\n")) }
            responder.write("id: d-1\ndata: \(Self.progress(token: idText))\n\n")
        case ("tools/call", "ssehang"):
            record(request, message, status: 200)
            state.withLockedValue { $0.heldPosts.append(responder) }
            responder.startEventStream()
            responder.write("id: h-1\ndata: \(Self.progress(token: idText))\n\n")
        case ("tools/call", "sseopen"):
            record(request, message, status: 200)
            state.withLockedValue { $0.heldPosts.append(responder) }
            responder.startEventStream()
            responder.write("id: o-1\ndata: \(response)\n\n")
        case ("tools/call", "bigchunks"):
            record(request, message, status: 200)
            responder.head(.ok, [("Content-Type", "application/json"), ("Content-Length", "10000")])
            for _ in 0..<10 {
                responder.write(String(repeating: " ", count: 1000))
                try? await Task.sleep(for: .milliseconds(5))
            }
            responder.end()
        case ("tools/call", "slow"):
            record(request, message, status: 200)
            try? await Task.sleep(for: .seconds(1))
            responder.respond(.ok, [("Content-Type", "application/json")], body: response)
        case ("tools/call", "big"):
            record(request, message, status: 200)
            let filler = String(repeating: "x", count: 4000)
            responder.respond(.ok, [("Content-Type", "application/json")], body: #"{"jsonrpc":"2.0","id":\#(idText),"result":{"text":"\#(filler)"}}"#)
        default:
            record(request, message, status: 200)
            responder.respond(.ok, [("Content-Type", "application/json; charset=utf-8")], body: response)
        }
    }
}
