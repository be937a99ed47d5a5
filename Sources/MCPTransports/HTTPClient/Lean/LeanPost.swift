import NIOCore
import NIOHTTP1

/// How a POST on the lean client ended.
enum LeanOutcome: Sendable {
    /// The reader's outcome (or a time-out, a cancellation, a connection that failed).
    case outcome(PostOutcome)
    /// A redirect: the lean client follows none; the caller sends the POST through
    /// AsyncHTTPClient, which does.
    case redirected
}

/// One POST on its way over a `LeanHTTPPool`: waiting for a connection, or written on one and
/// reading its answer. Cancelling it (from any thread) ends it with the reader's outcome for a
/// cancelled request and closes its connection.
final class LeanPost: Sendable {
    let loop: any EventLoop
    let head: HTTPRequestHead
    let body: ByteBuffer
    let reader: PostResponseReader
    /// When the exchange must have ended; the pool's sweep ends it with `.timedOut` after that.
    let deadline: NIODeadline
    private let ended: EventLoopPromise<LeanOutcome>
    private let state: NIOLoopBoundBox<State>

    /// Where the POST is (touched only on `loop`).
    private struct State {
        var connection: LeanHTTPConnection?
        var done = false
        var cancelled = false
        /// Retried once on a fresh connection after a reused one closed before any answer.
        var retried = false
    }

    init(head: HTTPRequestHead, body: ByteBuffer, reader: PostResponseReader, deadline: NIODeadline, on loop: any EventLoop) {
        self.loop = loop
        self.head = head
        self.body = body
        self.reader = reader
        self.deadline = deadline
        self.ended = loop.makePromise(of: LeanOutcome.self)
        self.state = .makeBoxSendingValue(State(), eventLoop: loop)
    }

    /// Completes with how the POST ended, on `loop`.
    var result: EventLoopFuture<LeanOutcome> { ended.futureResult }

    /// Ends the POST now: a waiting one never goes out, a running one's connection is closed.
    func cancel() {
        if loop.inEventLoop {
            cancelOnLoop()
        } else {
            loop.execute { self.cancelOnLoop() }
        }
    }

    private func cancelOnLoop() {
        let connection = state.withValue { state -> LeanHTTPConnection? in
            guard !state.done else { return nil }
            state.cancelled = true
            return state.connection
        }
        if let connection {
            connection.abort(self, because: .cancelled)
        } else {
            finish(.outcome(reader.outcome(after: LeanHTTPError.cancelled)))
        }
    }

    // MARK: For the pool and the connection (on `loop`)

    var isDone: Bool { state.withValue { $0.done } }

    /// A connection took it; false when it was cancelled meanwhile (the connection stays free).
    func assign(to connection: LeanHTTPConnection) -> Bool {
        state.withValue { state in
            guard !state.done, !state.cancelled else { return false }
            state.connection = connection
            return true
        }
    }

    /// Takes the one retry a POST gets after a reused connection closed before any answer.
    func takeRetry() -> Bool {
        state.withValue { state in
            guard !state.retried, !state.done, !state.cancelled else { return false }
            state.retried = true
            state.connection = nil
            return true
        }
    }

    func finish(_ outcome: LeanOutcome) {
        let first = state.withValue { state -> Bool in
            guard !state.done else { return false }
            state.done = true
            state.connection = nil
            return true
        }
        if first { ended.succeed(outcome) }
    }
}

/// Why the lean client ended an exchange itself.
enum LeanHTTPError: Error, CustomStringConvertible {
    case cancelled
    case timedOut
    case connectionClosed
    case closing

    var description: String {
        switch self {
        case .cancelled: return "the request was cancelled"
        case .timedOut: return "it did not answer in time"
        case .connectionClosed: return "the server closed the connection"
        case .closing: return "the transport is closing"
        }
    }
}
