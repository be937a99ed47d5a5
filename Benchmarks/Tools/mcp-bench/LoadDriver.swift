import JSONRPC
import NIOCore

/// Sends `tools/call` requests on one connection, keeping up to `window` in flight, and records
/// each one's latency (send to response) until its quota is done. Runs entirely on the
/// connection's event loop.
final class LoadDriver: @unchecked Sendable {
    // @unchecked: all state is touched only on `connection.eventLoop`.
    private let connection: any RPCConnection
    private let request: ToolCallRequest
    private let recorder: LatencyRecorder?
    private let ids: IDSource
    private var remaining: Int
    private var inFlight = 0
    private let promise: EventLoopPromise<Void>
    private let allocator = ByteBufferAllocator()

    /// - Parameter recorder: nil for warm-up requests, which are not recorded.
    init(connection: any RPCConnection, request: ToolCallRequest, count: Int, recorder: LatencyRecorder?, ids: IDSource) {
        self.connection = connection
        self.request = request
        self.remaining = count
        self.recorder = recorder
        self.ids = ids
        self.promise = connection.eventLoop.makePromise()
    }

    /// Starts sending; the future completes when every response (or failure) is in.
    func run() -> EventLoopFuture<Void> {
        connection.eventLoop.execute { self.fill() }
        return promise.futureResult
    }

    private func fill() {
        while inFlight < connection.window, remaining > 0 {
            issue()
        }
        if inFlight == 0, remaining == 0 { promise.succeed(()) }
    }

    private func issue() {
        remaining -= 1
        inFlight += 1
        let id = ids.next()
        let message = request.make(id: id, allocator: allocator)
        let start = NIODeadline.now().uptimeNanoseconds
        connection.send(message, id: id) { outcome in
            let elapsed = NIODeadline.now().uptimeNanoseconds &- start
            self.inFlight -= 1
            switch outcome {
            case .response(let response):
                if response.envelope.kind == .errorResponse {
                    self.recorder?.recordError("error response: \(String(buffer: response.bytes).prefix(200))")
                } else {
                    self.recorder?.record(nanoseconds: elapsed)
                }
            case .accepted:
                self.recorder?.recordError("the request was accepted without a response")
            case .failure(let reason):
                self.recorder?.recordError(reason)
                if self.recorder == nil { BenchOutput.note("warm-up request failed: \(reason)") }
            }
            self.fill()
        }
    }
}

/// Request ids for one connection: 1, 2, 3, …
final class IDSource: @unchecked Sendable {
    // @unchecked: used only on its connection's event loop (and by the handshake before load starts).
    private var value: Int64 = 0

    func next() -> Int64 {
        value += 1
        return value
    }
}
