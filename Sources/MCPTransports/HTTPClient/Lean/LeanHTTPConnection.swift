import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection of a `LeanHTTPPool`, and the handler at the end of its
/// pipeline: it writes a POST's head, body and end with one flush, and feeds the answer's parts
/// straight to the POST's `PostResponseReader` as NIO decodes them. Lives on one event loop.
final class LeanHTTPConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let pool: LeanHTTPPool
    private var context: ChannelHandlerContext?
    private var current: LeanPost?
    /// What the current answer is so far.
    private var answer = Answer.waiting
    /// The connection has served a POST before the current one (a stale keep-alive may close).
    private(set) var served = 0
    /// The server or the proxy asked to close after the current answer.
    private var closeAfter = false
    /// What broke the connection (a TLS handshake, a malformed answer), for the POST's error.
    private var failure: (any Error)?
    /// When it last went idle, for the pool's idle timeout.
    private(set) var idleSince = NIODeadline.now()

    private enum Answer {
        case waiting
        case reading
        /// A 3xx with a Location: the body is skipped and the POST goes through AsyncHTTPClient.
        case redirect
    }

    init(pool: LeanHTTPPool) {
        self.pool = pool
    }

    var deadline: NIODeadline? { current?.deadline }
    var currentPost: LeanPost? { current }

    // MARK: Channel events

    /// Whether its channel is still open (a connect's future completes before `channelActive`).
    var isActive: Bool { context?.channel.isActive ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let post = current else { return }  // bytes after an aborted exchange
        switch unwrapInboundIn(data) {
        case .head(let head):
            if !head.isKeepAlive { closeAfter = true }
            if (300..<400).contains(Int(head.status.code)), head.status != .notModified, head.headers.contains(name: "location") {
                answer = .redirect
            } else {
                answer = .reading
                post.reader.head(head)
            }
        case .body(let buffer):
            guard case .reading = answer else { return }
            // An answered event stream left open is cancelled after a grace (the reader decides).
            post.reader.body(buffer, cancel: { post.cancel() }, on: context.eventLoop)
        case .end:
            let outcome: LeanOutcome
            switch answer {
            case .redirect: outcome = .redirected
            case .waiting, .reading: outcome = .outcome(post.reader.finish())
            }
            current = nil
            answer = .waiting
            served += 1
            idleSince = .now()
            post.finish(outcome)
            if closeAfter {
                context.close(promise: nil)
            } else {
                pool.connectionFreed(self, on: context.eventLoop)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let post = current {
            current = nil
            let answered = answer
            answer = .waiting
            post.reader.stop()
            if case .waiting = answered, served > 0, post.takeRetry() {
                // A reused connection the server closed (its keep-alive ran out) before answering:
                // the request was not taken; it goes out once more on a fresh connection.
                pool.retry(post)
            } else if case .redirect = answered {
                post.finish(.redirected)
            } else {
                post.finish(.outcome(post.reader.outcome(after: failure ?? LeanHTTPError.connectionClosed)))
            }
        }
        pool.connectionClosed(self, on: context.eventLoop)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A decoding error, a failed TLS handshake or a broken socket: the connection cannot be
        // trusted any more.
        if failure == nil { failure = error }
        context.close(promise: nil)
    }

    // MARK: Exchanges

    /// Writes `post` (head, body, end: one flush); false when the POST was cancelled meanwhile.
    func run(_ post: LeanPost) -> Bool {
        guard let context, isActive, current == nil, post.assign(to: self) else { return false }
        current = post
        answer = .waiting
        context.write(wrapOutboundOut(.head(post.head)), promise: nil)
        if post.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(post.body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        return true
    }

    /// Ends the current exchange without its answer (cancelled, or over its deadline) and
    /// closes the connection: what is left of the answer must not reach the next POST.
    func abort(_ post: LeanPost, because reason: LeanHTTPError) {
        guard current === post else { return }
        current = nil
        answer = .waiting
        post.reader.stop()
        post.finish(.outcome(reason == .timedOut ? .timedOut : post.reader.outcome(after: reason)))
        context?.close(promise: nil)
    }

    /// Closes an idle connection (idle timeout, or the pool closing).
    func close() {
        context?.close(promise: nil)
    }
}
