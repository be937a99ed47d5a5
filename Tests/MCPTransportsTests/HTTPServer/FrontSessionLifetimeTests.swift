import Logging
@testable import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import XCTest

/// An ended front session must be freed: the proxy's session (the sink) holds the transport, so a
/// transport that kept its sink after the end held both alive, one pair per client session.
final class FrontSessionLifetimeTests: XCTestCase {
    /// A sink that owns its transport, as the proxy's session does.
    private final class OwningSink: MessageSink {
        let transport: any MessageTransport
        private let closed = NIOLockedValueBox(false)

        init(transport: any MessageTransport) {
            self.transport = transport
        }

        var wasClosed: Bool { closed.withLockedValue { $0 } }

        func transportReceived(_ frame: InboundFrame) {}

        func transportClosed(_ reason: TransportCloseReason) {
            closed.withLockedValue { $0 = true }
        }
    }

    private func makeSession(on loop: EmbeddedEventLoop) -> StreamableHTTPSession {
        StreamableHTTPSession(
            id: "lifetime-test-session", endpoint: HTTPEndpoint(path: "/mcp", kind: .streamableHTTP, service: "*"),
            settings: FrontStreamSettings(HTTPFrontConfiguration(endpoints: [])), eventLoop: loop, logger: Logger(label: "test"),
            onEnded: { _ in })
    }

    func testEndedStreamableSessionIsReleasedWithItsSink() async throws {
        let loop = EmbeddedEventLoop()
        weak var releasedSession: StreamableHTTPSession?
        weak var releasedSink: OwningSink?
        do {
            let session = makeSession(on: loop)
            let sink = OwningSink(transport: session)
            releasedSession = session
            releasedSink = sink
            try await session.start(sink: sink)
            session.terminate(.endOfStream)
            loop.run()
            XCTAssertTrue(sink.wasClosed)
        }
        XCTAssertNil(releasedSink, "the ended transport kept its sink (and the sink its transport) alive")
        XCTAssertNil(releasedSession, "the ended transport kept its sink (and the sink its transport) alive")
    }

    func testSinkAttachedAfterTheEndHearsItAndIsNotKept() throws {
        let loop = EmbeddedEventLoop()
        let delivery = SinkDelivery(eventLoop: loop)
        delivery.finish(.endOfStream)
        weak var released: OwningSink?
        do {
            let sink = OwningSink(transport: makeSession(on: loop))
            released = sink
            delivery.attach(sink)
            loop.run()
            XCTAssertTrue(sink.wasClosed)
        }
        XCTAssertNil(released, "the delivery kept a sink it had nothing more to tell")
    }
}
