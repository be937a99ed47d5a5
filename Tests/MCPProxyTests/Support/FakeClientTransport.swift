import JSONRPC
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore

/// The client side of a proxy session, in memory: the test pushes frames into the sink the proxy
/// gives it, and everything the proxy sends is recorded.
final class FakeClientTransport: MessageTransport {
    let name = "fake-client"

    private struct State {
        var sink: (any MessageSink)?
        var received: [WireMessage] = []
        var closedByProxy = false
    }

    private let state = NIOLockedValueBox(State())

    func start(sink: any MessageSink) async throws(TransportError) {
        state.withLockedValue { $0.sink = sink }
    }

    @discardableResult
    func send(_ message: ByteBuffer) -> Bool {
        let text = String(buffer: message)
        return state.withLockedValue { state in
            guard !state.closedByProxy else { return false }
            state.received.append(WireMessage(raw: text))
            return true
        }
    }

    func close() async {
        state.withLockedValue { $0.closedByProxy = true }
    }

    // MARK: Test side

    var isStarted: Bool { state.withLockedValue { $0.sink != nil } }
    var closedByProxy: Bool { state.withLockedValue { $0.closedByProxy } }

    /// Everything the proxy sent to the client, in order.
    var received: [WireMessage] { state.withLockedValue { $0.received } }

    /// Delivers one frame from the client to the proxy.
    func push(_ text: String) {
        let sink = state.withLockedValue { $0.sink }
        sink?.transportReceived(.message(ByteBuffer(string: text)))
    }

    /// The client hangs up.
    func disconnect() {
        let sink = state.withLockedValue { $0.sink }
        sink?.transportClosed(.endOfStream)
    }

    /// The first message (in arrival order) matching `predicate`, waiting for it if needed.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(5), where predicate: (WireMessage) -> Bool) async throws -> WireMessage {
        try await eventually("client to receive \(what); it has \(received.map(\.raw))", timeout: timeout) {
            received.first(where: predicate)
        }
    }

    /// The response whose id equals `id` (compared as parsed JSON).
    @discardableResult
    func response(to id: JSONValue, timeout: Duration = .seconds(5)) async throws -> WireMessage {
        try await waitFor("a response to id \(id.text)", timeout: timeout) { $0.isResponse && $0.id == id }
    }

    /// All responses whose id equals `id`.
    func responses(to id: JSONValue) -> [WireMessage] {
        received.filter { $0.isResponse && $0.id == id }
    }
}
