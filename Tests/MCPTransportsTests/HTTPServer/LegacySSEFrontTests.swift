import Foundation
import MCPTransports
import XCTest

final class LegacySSEFrontTests: XCTestCase {
    func testEndpointEventThenPOSTedMessagesAnsweredOnTheStream() async throws {
        let front = try await FrontFixture.start()
        let stream = try await front.client()
        try await stream.send("GET", "/sse", headers: ["Accept": "text/event-stream"])
        let head = try await stream.readHead()
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "text/event-stream")
        let endpoint = try await stream.nextEvent()
        XCTAssertEqual(endpoint.event, "endpoint")
        XCTAssertTrue(endpoint.data.hasPrefix("/messages?sessionId="), endpoint.data)
        let session = try await front.proxy.session()
        XCTAssertEqual(session.front.service, "legacy")
        XCTAssertEqual(session.front.kind, .legacySSE(messagesPath: "/messages"))

        let poster = try await front.client()
        let accepted = try await poster.request("POST", endpoint.data, body: FrontFixture.initializeBody)
        XCTAssertEqual(accepted.status, 202)
        XCTAssertTrue(accepted.body.isEmpty)
        let result = try await stream.nextEvent()
        XCTAssertEqual(result.event, "message")
        XCTAssertTrue(result.data.contains(#""protocolVersion""#), result.data)

        // Messages the proxy sends on its own go on the same stream.
        XCTAssertTrue(session.transport.send(EchoSession.logMessage("hello")))
        let note = try await stream.nextEvent()
        XCTAssertEqual(note.event, "message")
        XCTAssertTrue(note.data.contains("hello"))

        let unknown = try await poster.request("POST", "/messages?sessionId=unknown", body: FrontFixture.initializeBody)
        XCTAssertEqual(unknown.status, 404)
        let broken = try await poster.request("POST", endpoint.data, body: "{nope")
        XCTAssertEqual(broken.status, 400)

        // The session ends with the event stream.
        XCTAssertEqual(front.server.sessionCount, 1)
        await stream.close()
        let closed = await session.wait { $0.closeReason != nil }
        XCTAssertTrue(closed)
        XCTAssertEqual(session.closeReason, .endOfStream)
        XCTAssertEqual(front.server.sessionCount, 0)
        let late = try await poster.request("POST", endpoint.data, body: FrontFixture.initializeBody)
        XCTAssertEqual(late.status, 404)
        await front.stop()
    }

    func testProxyCloseEndsTheEventStream() async throws {
        let front = try await FrontFixture.start()
        let stream = try await front.client()
        try await stream.send("GET", "/sse", headers: ["Accept": "text/event-stream"])
        _ = try await stream.readHead()
        _ = try await stream.nextEvent()
        let session = try await front.proxy.session()
        await session.transport.close()
        let ended = await stream.streamEnds()
        XCTAssertTrue(ended)
        // The sink hears about the close on the session's event loop; wait for it.
        let reported = await session.wait { $0.closeReason != nil }
        XCTAssertTrue(reported)
        XCTAssertEqual(session.closeReason, .closedLocally)
        await front.stop()
    }
}
