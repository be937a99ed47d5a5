import JSONRPC
import MCPTransports
import NIOCore
import Synchronization

/// The proxy's downstream side in memory: the benchmark hands it client messages, which reach the
/// proxy synchronously on the calling thread; what the proxy sends back is counted (and, while a
/// handshake waits for an answer, matched by id).
public final class FakeClientTransport: MessageTransport {
    /// Creates a transport with no proxy attached yet.
    public init() {}

    /// "bench-client".
    public let name = "bench-client"
    private let scanner = JSONRPCScanner()
    private let state = Mutex(State())

    private struct State {
        var sink: (any MessageSink)?
        var sinkWaiters: [CheckedContinuation<Void, Never>] = []
        var received = 0
        public var lastReceived: ByteBuffer?
        var waiting: (id: JSONRPCID, continuation: CheckedContinuation<JSONRPCMessage, Never>)?
    }

    /// Messages the proxy sent to the client so far.
    public var receivedCount: Int { state.withLock { $0.received } }

    /// The last message the proxy sent.
    public var lastReceived: ByteBuffer? { state.withLock { $0.lastReceived } }

    /// Keeps the proxy's sink; `deliver` hands it messages.
    public func start(sink: any MessageSink) async throws(TransportError) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.sink = sink
            defer { state.sinkWaiters.removeAll() }
            return state.sinkWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Counts what the proxy sent; completes a waiting `request` when its answer arrives.
    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        let waiting = state.withLock { state -> (id: JSONRPCID, continuation: CheckedContinuation<JSONRPCMessage, Never>)? in
            state.received += 1
            state.lastReceived = message
            return state.waiting
        }
        if let waiting, let scanned = try? scanner.scanMessage(message), scanned.envelope.id == waiting.id,
           scanned.envelope.kind == .successResponse || scanned.envelope.kind == .errorResponse {
            state.withLock { $0.waiting = nil }
            waiting.continuation.resume(returning: scanned)
        }
        return true
    }

    /// Nothing to close.
    public func close() async {}

    /// Waits until the proxy has started reading from this transport.
    public func waitUntilStarted() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let started = state.withLock { state -> Bool in
                if state.sink != nil { return true }
                state.sinkWaiters.append(continuation)
                return false
            }
            if started { continuation.resume() }
        }
    }

    /// Hands one client message to the proxy (synchronously, on this thread).
    public func deliver(_ message: ByteBuffer) {
        state.withLock { $0.sink }?.transportReceived(.message(message))
    }

    /// Tells the proxy the client went away.
    public func disconnect() {
        state.withLock { $0.sink }?.transportClosed(.endOfStream)
    }

    /// Sends a request and waits for the proxy's answer to it (for the handshake; not measured).
    public func request(_ message: ByteBuffer, id: JSONRPCID) async -> JSONRPCMessage {
        await withCheckedContinuation { continuation in
            state.withLock { $0.waiting = (id, continuation) }
            deliver(message)
        }
    }
}
