import MCPTransports
import NIOConcurrencyHelpers
import NIOCore

/// The transport of a `FakeUpstream`: what the proxy sends is recorded and handed to the
/// server's script on a task of its own, in order; what the server sends goes to the proxy's sink.
final class FakeUpstreamTransport: MessageTransport {
    let server: FakeUpstream
    var name: String { server.name }

    private struct State {
        var sink: (any MessageSink)?
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    /// Held while calling the proxy's sink, so frames reach it one at a time, as from a real transport.
    private let delivery = NIOLock()
    private let inbox: AsyncStream<(WireMessage, Int)>
    private let inboxInput: AsyncStream<(WireMessage, Int)>.Continuation

    init(server: FakeUpstream) {
        self.server = server
        (inbox, inboxInput) = AsyncStream.makeStream(of: (WireMessage, Int).self)
    }

    func start(sink: any MessageSink) async throws(TransportError) {
        state.withLockedValue { $0.sink = sink }
        let inbox = self.inbox
        Task { [server] in
            for await (message, count) in inbox {
                server.handle(message, count: count, transport: self)
            }
        }
    }

    @discardableResult
    func send(_ message: ByteBuffer) -> Bool {
        let wire = WireMessage(raw: String(buffer: message))
        // Record and enqueue under the lock, so concurrent senders keep one order.
        return state.withLockedValue { state in
            guard !state.closed else { return false }
            let count = server.record(wire)
            inboxInput.yield((wire, count))
            return true
        }
    }

    var isClosed: Bool { state.withLockedValue { $0.closed } }

    func close() async {
        terminate(.closedLocally)
    }

    /// Delivers one message from the server to the proxy, unless the transport is closed.
    func deliver(_ text: String) {
        delivery.withLock {
            let sink = state.withLockedValue { $0.closed ? nil : $0.sink }
            sink?.transportReceived(.message(ByteBuffer(string: text)))
        }
    }

    /// Closes the stream once, telling the proxy why.
    func terminate(_ reason: TransportCloseReason) {
        delivery.withLock {
            let sink = state.withLockedValue { state -> (any MessageSink)? in
                guard !state.closed else { return nil }
                state.closed = true
                return state.sink
            }
            inboxInput.finish()
            sink?.transportClosed(reason)
        }
    }
}
