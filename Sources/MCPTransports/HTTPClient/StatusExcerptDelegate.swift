import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Reads an HTTP answer of which only the status matters (a legacy SSE POST, whose real answer
/// comes on the event stream), keeping the start of the body for an error message. Runs on the
/// event loop that AsyncHTTPClient calls it on.
final class StatusExcerptDelegate: HTTPClientResponseDelegate {
    /// The status and the start of the body.
    struct Answer: Sendable {
        var status: HTTPResponseStatus
        /// Up to 300 bytes of the body as one line of text.
        var excerpt: String
    }

    typealias Response = Answer

    /// What has arrived so far (touched only on the delegate's event loop).
    private struct Reading: Sendable {
        var status = HTTPResponseStatus.ok
        var excerpt = BodyExcerpt()
    }

    private let reading: NIOLoopBoundBox<Reading>

    /// A delegate that AsyncHTTPClient will call on `loop`.
    init(on loop: any EventLoop) {
        reading = .makeBoxSendingValue(Reading(), eventLoop: loop)
    }

    func didReceiveHead(task: HTTPClient.Task<Answer>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        reading.withValue { $0.status = head.status }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Answer>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        reading.withValue { $0.excerpt.append(buffer) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Answer>) throws -> Answer {
        reading.withValue { Answer(status: $0.status, excerpt: $0.excerpt.text) }
    }
}
