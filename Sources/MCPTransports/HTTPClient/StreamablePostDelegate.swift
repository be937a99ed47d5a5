import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Feeds AsyncHTTPClient's answer to one POST to a `PostResponseReader`: the path for what the
/// lean client leaves to AsyncHTTPClient (a redirect it does not follow).
final class StreamablePostDelegate: HTTPClientResponseDelegate {
    typealias Response = PostOutcome

    let reader: PostResponseReader

    init(reader: PostResponseReader) {
        self.reader = reader
    }

    func didReceiveHead(task: HTTPClient.Task<PostOutcome>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        reader.head(head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<PostOutcome>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        reader.body(buffer, cancel: { task.cancel() }, on: task.eventLoop)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<PostOutcome>, _ error: any Error) {
        reader.stop()
    }

    func didFinishRequest(task: HTTPClient.Task<PostOutcome>) throws -> PostOutcome {
        reader.finish()
    }

    /// The outcome of a POST whose task failed with `error`.
    func outcome(after error: any Error) -> PostOutcome {
        if let error = error as? HTTPClientError, error == .deadlineExceeded {
            return .timedOut
        }
        return reader.outcome(after: error)
    }
}
