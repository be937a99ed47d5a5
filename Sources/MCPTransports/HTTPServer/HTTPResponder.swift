import JSONRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Writes the answer to one HTTP request, possibly long after the request arrived and from any
/// thread: either one complete response, or an event stream written event by event.
///
/// Every method only enqueues work on the channel's event loop and returns at once, so callers
/// may hold their own locks while calling (nothing calls back into them synchronously).
final class HTTPResponder: Sendable {
    /// Why the connection went away before the answer was complete.
    enum CloseCause: Sendable, Equatable {
        /// The client closed the connection (or it failed).
        case peerClosed
        /// The client read too slowly and was cut off.
        case overflow
    }

    private enum Phase {
        case pending
        case streaming
        case finished
    }

    private struct State {
        var phase = Phase.pending
        var keepAliveTask: RepeatedTask?
        var onClose: (@Sendable (CloseCause) -> Void)?
        var closedCause: CloseCause?
        /// The connection's deadlines, told when the response ends and the connection waits for the next request.
        var timer: ConnectionTimer?
    }

    /// Bytes accepted by `write` and not yet taken by the peer; checked on the caller's thread so
    /// that nothing piles up in the event loop's queue either.
    private struct Budget {
        var bytes: WriteBudget
        var overflowed = false
    }

    /// The connection the answer goes to.
    let channel: any Channel
    private let keepAlive: Bool
    private let version: HTTPVersion
    private let logger: Logger
    private let state: NIOLoopBoundBox<State>
    private let budget: NIOLockedValueBox<Budget>

    /// Created on the channel's event loop when a request is complete.
    init(channel: any Channel, request: HTTPRequestHead, maxQueuedBytes: Int, logger: Logger, timer: ConnectionTimer? = nil) {
        self.channel = channel
        self.keepAlive = request.isKeepAlive
        self.version = request.version
        self.logger = logger
        self.state = NIOLoopBoundBox(State(timer: timer), eventLoop: channel.eventLoop)
        self.budget = NIOLockedValueBox(Budget(bytes: WriteBudget(limit: maxQueuedBytes)))
    }

    /// Sets what to call (once, on the event loop) if the connection closes before the answer is
    /// complete. Called at once if that already happened.
    func onClose(_ handler: @escaping @Sendable (CloseCause) -> Void) {
        channel.eventLoop.execute { [self] in
            if let cause = state.value.closedCause {
                handler(cause)
            } else if state.value.phase != .finished {
                state.value.onClose = handler
            }
        }
    }

    /// Sends one complete response; `closeConnection` closes the connection after it.
    func respond(
        status: HTTPResponseStatus, headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer? = nil, closeConnection: Bool = false
    ) {
        channel.eventLoop.execute { [self] in
            guard state.value.phase == .pending, state.value.closedCause == nil else { return }
            state.value.phase = .finished
            var headers = headers
            headers.replaceOrAdd(name: "content-length", value: String(body?.readableBytes ?? 0))
            addConnectionHeader(&headers, closing: closeConnection)
            channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: status, headers: headers)), promise: nil)
            if let body, body.readableBytes > 0 {
                channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
            }
            finishMessage(closing: closeConnection)
        }
    }

    /// Sends a response head for an event stream (`text/event-stream`, no caching, no proxy
    /// buffering) and starts keep-alive comments.
    func startStream(extraHeaders: HTTPHeaders = HTTPHeaders(), keepAliveInterval: Duration) {
        channel.eventLoop.execute { [self] in
            guard state.value.phase == .pending, state.value.closedCause == nil else { return }
            state.value.phase = .streaming
            var headers = extraHeaders
            headers.replaceOrAdd(name: "content-type", value: "text/event-stream")
            headers.replaceOrAdd(name: "cache-control", value: "no-cache")
            headers.replaceOrAdd(name: "x-accel-buffering", value: "no")
            addConnectionHeader(&headers, closing: false)
            channel.writeAndFlush(
                HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: .ok, headers: headers)), promise: nil)
            let interval = TimeAmount(keepAliveInterval)
            guard interval > .zero else { return }
            state.value.keepAliveTask = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
                write(SSEEncoder.keepAlive)
            }
        }
    }

    /// Writes one encoded event (or comment) on an open stream. Returns false, and cuts the
    /// client off, when the client is more than the queue limit behind.
    @discardableResult
    func write(_ bytes: ByteBuffer) -> Bool {
        let count = bytes.readableBytes
        let (taken, firstOverflow, queued, limit) = budget.withLockedValue { budget -> (Bool, Bool, Int, Int) in
            guard !budget.overflowed else { return (false, false, budget.bytes.queued, budget.bytes.limit) }
            if budget.bytes.reserve(count) { return (true, false, 0, 0) }
            budget.overflowed = true
            return (false, true, budget.bytes.queued, budget.bytes.limit)
        }
        guard taken else {
            if firstOverflow {
                logger.warning(
                    "cutting off a client that stopped reading its event stream",
                    metadata: ["queuedBytes": "\(queued)", "limit": "\(limit)"])
                channel.eventLoop.execute { [self] in
                    state.value.keepAliveTask?.cancel()
                    state.value.keepAliveTask = nil
                    channel.close(promise: nil)
                }
            }
            return false
        }
        channel.eventLoop.execute { [self] in
            writeOnLoop(bytes, count: count)
        }
        return true
    }

    /// Ends an event stream normally; the connection stays open for the next request.
    func endStream() {
        channel.eventLoop.execute { [self] in
            guard state.value.phase == .streaming, state.value.closedCause == nil else { return }
            state.value.phase = .finished
            state.value.keepAliveTask?.cancel()
            state.value.keepAliveTask = nil
            finishMessage(closing: false)
        }
    }

    /// Closes the connection, whatever was written.
    func abort() {
        channel.eventLoop.execute { [self] in
            state.value.keepAliveTask?.cancel()
            state.value.keepAliveTask = nil
            channel.close(promise: nil)
        }
    }

    /// The connection closed (called by the connection's handler, on the event loop).
    func connectionClosed() {
        state.value.keepAliveTask?.cancel()
        state.value.keepAliveTask = nil
        guard state.value.phase != .finished, state.value.closedCause == nil else { return }
        let cause: CloseCause = budget.withLockedValue { $0.overflowed } ? .overflow : .peerClosed
        state.value.closedCause = cause
        let handler = state.value.onClose
        state.value.onClose = nil
        handler?(cause)
    }

    private func writeOnLoop(_ bytes: ByteBuffer, count: Int) {
        guard state.value.phase == .streaming, state.value.closedCause == nil else {
            budget.withLockedValue { $0.bytes.release(count) }
            return
        }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [budget] _ in
            budget.withLockedValue { $0.bytes.release(count) }
        }
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(bytes)), promise: promise)
    }

    /// Ends the HTTP message. The close handler is dropped: nothing is pending any more, and the
    /// handler (which refers to this responder) must not keep it alive after the answer.
    private func finishMessage(closing: Bool) {
        state.value.onClose = nil
        let timer = state.value.timer
        state.value.timer = nil
        if keepAlive && !closing {
            // Before the end goes out: writing it may hand NIO's pipelining handler's next request
            // to the connection handler at once, which marks the connection busy again.
            timer?.responseFinished()
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        } else {
            let channel = self.channel
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    private func addConnectionHeader(_ headers: inout HTTPHeaders, closing: Bool) {
        if !keepAlive || closing {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if version.major == 1 && version.minor == 0 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
    }
}

extension HTTPResponder {
    /// A JSON body (`application/json`).
    func respondJSON(status: HTTPResponseStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer) {
        var headers = headers
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        respond(status: status, headers: headers, body: body)
    }

    /// An error status with a JSON-RPC error body (no id) whose message says what to do.
    func reject(
        _ status: HTTPResponseStatus, _ message: String, code: JSONRPCErrorCode = .invalidRequest,
        headers: HTTPHeaders = HTTPHeaders(), closeConnection: Bool = false
    ) {
        var headers = headers
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        respond(
            status: status, headers: headers,
            body: JSONRPCEncoder.errorResponse(idBytes: nil, code: code, message: message), closeConnection: closeConnection)
    }
}
