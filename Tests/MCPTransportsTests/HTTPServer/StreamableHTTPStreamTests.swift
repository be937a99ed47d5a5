import Foundation
import JSONRPC
import MCPTransports
import XCTest

/// The GET stream, the replay buffer and `Last-Event-ID` resumption.
final class StreamableHTTPStreamTests: XCTestCase {
    private func openGET(_ front: FrontFixture, session id: String, lastEventID: String? = nil) async throws -> (RawHTTPClient, TestResponse) {
        let client = try await front.client()
        var headers: [String: String?] = ["Mcp-Session-Id": id, "Accept": "text/event-stream"]
        if let lastEventID { headers["Last-Event-ID"] = lastEventID }
        try await client.send("GET", "/mcp", headers: headers)
        return (client, try await client.readHead())
    }

    func testGETStreamCarriesUnrelatedMessagesIncludingThoseSentBeforeItOpened() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let session = try await front.proxy.session()
        XCTAssertTrue(session.transport.send(EchoSession.logMessage("early")))

        let (stream, head) = try await openGET(front, session: id)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "text/event-stream")
        let early = try await stream.nextEvent()
        XCTAssertTrue(early.data.contains("early"), early.data)
        XCTAssertEqual(early.id, "0-1")

        XCTAssertTrue(session.transport.send(EchoSession.logMessage("later")))
        let later = try await stream.nextEvent()
        XCTAssertTrue(later.data.contains("later"))
        XCTAssertEqual(later.id, "0-2")

        // A message unrelated to the POST that is open goes to the GET stream, not the POST.
        let answer = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "broadcast"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(answer.header("content-type"), "application/json")
        XCTAssertFalse(answer.text.contains("list_changed"))
        let changed = try await stream.nextEvent()
        XCTAssertTrue(changed.data.contains("notifications/tools/list_changed"), changed.data)

        // One GET stream per session.
        let (_, second) = try await openGET(front, session: id)
        XCTAssertEqual(second.status, 409)
        await front.stop()
    }

    func testRelatedMessagesOfAJSONOnlyPOSTGoToTheGETStream() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let (stream, _) = try await openGET(front, session: id)
        let response = try await client.request(
            "POST", "/mcp", body: toolCall(id: 3, name: "notify-first"), headers: ["Mcp-Session-Id": id, "Accept": "application/json"])
        XCTAssertEqual(response.header("content-type"), "application/json")
        XCTAssertTrue(response.text.contains(#""id":3"#))
        let related = try await stream.nextEvent()
        XCTAssertTrue(related.data.contains("working on it"))
        await front.stop()
    }

    func testCutPOSTStreamResumedWithLastEventIDGetsMissedEventsExactlyOnce() async throws {
        let front = try await FrontFixture.start()
        let (_, id) = try await front.initialize()
        let session = try await front.proxy.session()
        let poster = try await front.client()
        try await poster.send("POST", "/mcp", body: toolCall(id: 20, name: "hold"), headers: ["Mcp-Session-Id": id])
        let held = await session.wait { $0.held == [.number(20)] }
        XCTAssertTrue(held)

        session.transport.send(EchoSession.logMessage("step 1"), relatedTo: .number(20))
        let head = try await poster.readHead()
        XCTAssertEqual(head.header("content-type"), "text/event-stream")
        let first = try await poster.nextEvent()
        XCTAssertTrue(first.data.contains("step 1"))
        let firstID = try XCTUnwrap(first.id)

        // The client loses the connection; that is not a cancellation.
        await poster.close()
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertTrue(session.transport.send(EchoSession.logMessage("step 2"), relatedTo: .number(20)))
        XCTAssertNil(session.closeReason)

        let (resumed, resumedHead) = try await openGET(front, session: id, lastEventID: firstID)
        XCTAssertEqual(resumedHead.status, 200)
        let second = try await resumed.nextEvent()
        XCTAssertTrue(second.data.contains("step 2"), second.data)
        XCTAssertEqual(second.id?.split(separator: "-").first, firstID.split(separator: "-").first)

        // The request is still open: its response arrives on the resumed connection.
        XCTAssertTrue(session.transport.send(EchoSession.toolResult(idBytes: Array("20".utf8), text: "done")))
        let final = try await resumed.nextEvent()
        XCTAssertTrue(final.data.contains(#""id":20"#), final.data)

        // Nothing is delivered twice, and the connection goes on as the GET stream.
        let extra = await resumed.eventsArriving(within: .milliseconds(150))
        XCTAssertEqual(extra, [])
        XCTAssertTrue(session.transport.send(EchoSession.logMessage("unrelated")))
        let unrelated = try await resumed.nextEvent()
        XCTAssertTrue(unrelated.data.contains("unrelated"))
        XCTAssertEqual(unrelated.id?.hasPrefix("0-"), true)
        await front.stop()
    }

    func testResumingAFinishedStreamReplaysItsTail() async throws {
        let front = try await FrontFixture.start()
        let (_, id) = try await front.initialize()
        let session = try await front.proxy.session()
        let poster = try await front.client()
        try await poster.send("POST", "/mcp", body: toolCall(id: 30, name: "hold"), headers: ["Mcp-Session-Id": id])
        _ = await session.wait { !$0.held.isEmpty }
        session.transport.send(EchoSession.logMessage("a"), relatedTo: .number(30))
        _ = try await poster.readHead()
        let first = try await poster.nextEvent()
        await poster.close()
        try await Task.sleep(for: .milliseconds(100))
        // Everything else happens while no connection is open.
        session.transport.send(EchoSession.logMessage("b"), relatedTo: .number(30))
        session.transport.send(EchoSession.toolResult(idBytes: Array("30".utf8), text: "done"))

        let (resumed, _) = try await openGET(front, session: id, lastEventID: first.id)
        let b = try await resumed.nextEvent()
        XCTAssertTrue(b.data.contains(#""data":"b""#), b.data)
        let done = try await resumed.nextEvent()
        XCTAssertTrue(done.data.contains(#""id":30"#), done.data)
        let extra = await resumed.eventsArriving(within: .milliseconds(150))
        XCTAssertEqual(extra, [])
        await front.stop()
    }

    func testCutGETStreamResumesAfterTheLastEventSeen() async throws {
        let front = try await FrontFixture.start()
        let (_, id) = try await front.initialize()
        let session = try await front.proxy.session()
        let (stream, _) = try await openGET(front, session: id)
        session.transport.send(EchoSession.logMessage("one"))
        let one = try await stream.nextEvent()
        session.transport.send(EchoSession.logMessage("two"))
        _ = try await stream.nextEvent()
        await stream.close()
        try await Task.sleep(for: .milliseconds(100))
        session.transport.send(EchoSession.logMessage("three"))

        // Resume from "one": "two" (lost in transit for all the server knows) and "three" follow.
        let (resumed, head) = try await openGET(front, session: id, lastEventID: one.id)
        XCTAssertEqual(head.status, 200)
        let two = try await resumed.nextEvent()
        XCTAssertTrue(two.data.contains("two"))
        let three = try await resumed.nextEvent()
        XCTAssertTrue(three.data.contains("three"))
        let extra = await resumed.eventsArriving(within: .milliseconds(150))
        XCTAssertEqual(extra, [])
        await front.stop()
    }

    func testKeepAliveCommentsOnIdleStreams() async throws {
        let front = try await FrontFixture.start { $0.keepAliveInterval = .milliseconds(50) }
        let (_, id) = try await front.initialize()
        let (stream, _) = try await openGET(front, session: id)
        let comment = try await stream.nextEvent(timeout: .seconds(2), comments: true)
        XCTAssertEqual(comment.event, ":")
        await front.stop()
    }

    func testReplayBufferIsBounded() async throws {
        let front = try await FrontFixture.start { $0.replayBufferEvents = 3 }
        let (_, id) = try await front.initialize()
        let session = try await front.proxy.session()
        for index in 1...10 { session.transport.send(EchoSession.logMessage("m\(index)")) }
        let (stream, _) = try await openGET(front, session: id)
        var seen: [String] = []
        for _ in 0..<3 { seen.append(try await stream.nextEvent().data) }
        XCTAssertTrue(seen[0].contains("m8") && seen[1].contains("m9") && seen[2].contains("m10"), "\(seen)")
        let extra = await stream.eventsArriving(within: .milliseconds(100))
        XCTAssertEqual(extra, [])
        await front.stop()
    }
}
