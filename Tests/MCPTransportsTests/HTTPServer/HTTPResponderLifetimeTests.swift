import Logging
@testable import MCPTransports
import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest

/// A responder must not outlive its answer: sessions register close handlers that refer to the
/// responder, and one left behind per POST grows memory with every request.
final class HTTPResponderLifetimeTests: XCTestCase {
    private func makeResponder(on channel: EmbeddedChannel) -> HTTPResponder {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/mcp")
        return HTTPResponder(channel: channel, request: head, maxQueuedBytes: 1 << 20, logger: Logger(label: "test"))
    }

    func testAnsweredResponderIsReleasedDespiteItsCloseHandler() throws {
        let channel = EmbeddedChannel()
        weak var released: HTTPResponder?
        do {
            let responder = makeResponder(on: channel)
            released = responder
            responder.onClose { _ in _ = responder }
            responder.respondJSON(body: ByteBuffer(string: "{}"))
            channel.embeddedEventLoop.run()
        }
        XCTAssertNil(released, "the close handler kept the answered responder alive")
        XCTAssertNotNil(try channel.readOutbound(as: HTTPServerResponsePart.self))
        _ = try channel.finish()
    }

    func testFinishedStreamReleasesItsCloseHandler() throws {
        let channel = EmbeddedChannel()
        weak var released: HTTPResponder?
        do {
            let responder = makeResponder(on: channel)
            released = responder
            responder.startStream(keepAliveInterval: .zero)
            responder.onClose { _ in _ = responder }
            responder.endStream()
            channel.embeddedEventLoop.run()
        }
        XCTAssertNil(released, "the close handler kept the finished stream's responder alive")
        _ = try channel.finish()
    }

    func testCloseBeforeTheAnswerStillCallsTheHandler() throws {
        let channel = EmbeddedChannel()
        let responder = makeResponder(on: channel)
        let heard = NIOLoopBoundBox<HTTPResponder.CloseCause?>(nil, eventLoop: channel.embeddedEventLoop)
        responder.onClose { cause in heard.value = cause }
        channel.embeddedEventLoop.run()
        responder.connectionClosed()
        XCTAssertEqual(heard.value, .peerClosed)
        _ = try channel.finish()
    }
}
