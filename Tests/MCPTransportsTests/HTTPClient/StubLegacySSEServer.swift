import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A scripted legacy (2024-11-05) HTTP+SSE MCP server: GET `/sse` opens the event stream, whose
/// first event names the message endpoint (`messages?sessionId=abc` by default, relative);
/// POSTs there are answered 202 and their responses pushed on the stream. POST `/sse` gets 405,
/// as a legacy server does when a client probes it with Streamable HTTP. A `tools/call` of
/// `fail` gets HTTP 500.
final class StubLegacySSEServer: Sendable {
    let http: StubHTTPServer
    private let state: NIOLockedValueBox<State>

    private struct State {
        var endpoint: String
        var log: [StubHTTPRequest] = []
        var stream: StubHTTPResponder?
    }

    private init(http: StubHTTPServer, state: NIOLockedValueBox<State>) {
        self.http = http
        self.state = state
    }

    static func start(endpoint: String = "messages?sessionId=abc") async throws -> StubLegacySSEServer {
        let state = NIOLockedValueBox(State(endpoint: endpoint))
        let http = try await StubHTTPServer.start { request, responder in
            StubLegacySSEServer.handle(request, responder, state)
        }
        return StubLegacySSEServer(http: http, state: state)
    }

    var url: String { http.url("/sse") }
    var log: [StubHTTPRequest] { state.withLockedValue { $0.log } }

    func stop() async { await http.stop() }

    /// Ends the event stream cleanly.
    func endStream() {
        state.withLockedValue { $0.stream }?.end()
    }

    private static func handle(_ request: StubHTTPRequest, _ responder: StubHTTPResponder, _ state: NIOLockedValueBox<State>) {
        state.withLockedValue { $0.log.append(request) }
        switch (request.method, request.uri) {
        case (.GET, "/sse"):
            let endpoint = state.withLockedValue { state -> String in
                state.stream = responder
                return state.endpoint
            }
            responder.startEventStream()
            responder.write(": legacy stub\n\nevent: endpoint\ndata: \(endpoint)\n\n")
        case (.POST, "/messages?sessionId=abc"):
            guard let message = try? JSONRPCScanner().scanMessage(request.body) else {
                responder.respond(.badRequest)
                return
            }
            if message.envelope.name == "fail" {
                responder.respond(.internalServerError, body: "boom")
                return
            }
            responder.respond(.accepted, body: "Accepted")
            guard message.envelope.kind == .request, let idBytes = message.idBytes else { return }
            let response = StubMCPServer.response(
                id: String(decoding: idBytes, as: UTF8.self), method: message.envelope.method?.name ?? "",
                tool: message.envelope.name)
            state.withLockedValue { $0.stream }?.write("event: message\ndata: \(response)\n\n")
        default:
            responder.respond(.methodNotAllowed)
        }
    }
}
