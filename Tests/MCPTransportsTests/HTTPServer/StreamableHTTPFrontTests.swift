import Foundation
import JSONRPC
import MCPTransports
import XCTest

final class StreamableHTTPFrontTests: XCTestCase {
    func testInitializeCreatesSessionAndReturnsItsID() async throws {
        let front = try await FrontFixture.start()
        let client = try await front.client()
        let response = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("content-type"), "application/json")
        let id = try XCTUnwrap(response.header("mcp-session-id"))
        XCTAssertEqual(id.count, 64)
        XCTAssertTrue(id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, id)
        XCTAssertTrue(response.text.contains(#""id":1"#), response.text)
        XCTAssertTrue(response.text.contains(#""protocolVersion":"2025-11-25""#), response.text)
        let session = try await front.proxy.session()
        XCTAssertEqual(session.front.service, "main")
        XCTAssertEqual(session.front.kind, .streamableHTTP)
        XCTAssertTrue(session.front.remoteAddress?.hasPrefix("127.0.0.1:") ?? false)
        XCTAssertEqual(front.server.sessionCount, 1)

        // A second initialize makes a second, different session.
        let other = try await front.client().request("POST", "/mcp", body: FrontFixture.initializeBody)
        XCTAssertNotEqual(other.header("mcp-session-id"), id)
        XCTAssertEqual(front.server.sessionCount, 2)
        await front.stop()
    }

    func testNotificationsAndResponsesGet202WithoutBody() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let notification = try await client.request(
            "POST", "/mcp", body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(notification.status, 202)
        XCTAssertTrue(notification.body.isEmpty)
        let response = try await client.request(
            "POST", "/mcp", body: #"{"jsonrpc":"2.0","id":"s1","result":{}}"#, headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(response.status, 202)
        let session = try await front.proxy.session()
        let arrived = await session.wait { $0.received.count == 3 }
        XCTAssertTrue(arrived, "\(session.received)")
        XCTAssertTrue(session.received[1].contains("notifications/initialized"))
        XCTAssertTrue(session.received[2].contains(#""id":"s1""#))
        await front.stop()
    }

    func testResponseAloneIsAnsweredAsJSON() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let response = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("content-type"), "application/json")
        XCTAssertNil(response.header("mcp-session-id"), "only the initialize answer carries the session id")
        XCTAssertEqual(response.text, #"{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"echo"}]}}"#)
        await front.stop()
    }

    func testRelatedMessageFirstTurnsTheAnswerIntoAnEventStream() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        try await client.send("POST", "/mcp", body: toolCall(id: 3, name: "notify-first"), headers: ["Mcp-Session-Id": id])
        let head = try await client.readHead()
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "text/event-stream")
        XCTAssertEqual(head.header("x-accel-buffering"), "no")
        XCTAssertEqual(head.header("cache-control"), "no-cache")
        let first = try await client.nextEvent()
        XCTAssertTrue(first.data.contains("notifications/message"), first.data)
        let second = try await client.nextEvent()
        XCTAssertTrue(second.data.contains(#""id":3"#), second.data)
        let firstID = try XCTUnwrap(first.id)
        let secondID = try XCTUnwrap(second.id)
        XCTAssertNotEqual(firstID, secondID)
        XCTAssertEqual(firstID.split(separator: "-").first, secondID.split(separator: "-").first, "both events belong to one stream")
        let ended = await client.streamEnds()
        XCTAssertTrue(ended, "the stream ends after the response")

        // The connection is reusable after the stream ended.
        let again = try await client.request("POST", "/mcp", body: toolCall(id: 4, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(again.status, 200)
        await front.stop()
    }

    func testProgressForTheRequestsTokenTravelsOnItsStream() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        try await client.send("POST", "/mcp", body: toolCall(id: 5, name: "progress", progressToken: "tok-5"), headers: ["Mcp-Session-Id": id])
        let head = try await client.readHead()
        XCTAssertEqual(head.header("content-type"), "text/event-stream")
        let progress = try await client.nextEvent()
        XCTAssertTrue(progress.data.contains(#""progressToken":"tok-5""#), progress.data)
        let result = try await client.nextEvent()
        XCTAssertTrue(result.data.contains(#""id":5"#), result.data)
        await front.stop()
    }

    func testClientAcceptingOnlyEventStreamsGetsAStreamEvenForALoneResponse() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        try await client.send(
            "POST", "/mcp", body: toolCall(id: 6, name: "echo"), headers: ["Mcp-Session-Id": id, "Accept": "text/event-stream"])
        let head = try await client.readHead()
        XCTAssertEqual(head.header("content-type"), "text/event-stream")
        let result = try await client.nextEvent()
        XCTAssertTrue(result.data.contains(#""id":6"#))
        let ended = await client.streamEnds()
        XCTAssertTrue(ended)
        await front.stop()
    }

    func testSessionRules() async throws {
        let front = try await FrontFixture.start()
        let client = try await front.client()
        let missing = try await client.request("POST", "/mcp", body: toolCall(id: 1, name: "echo"))
        XCTAssertEqual(missing.status, 400, "a non-initialize POST without a session id")
        XCTAssertTrue(missing.text.contains("initialize"), missing.text)
        let unknown = try await client.request(
            "POST", "/mcp", body: toolCall(id: 1, name: "echo"), headers: ["Mcp-Session-Id": String(repeating: "ab", count: 32)])
        XCTAssertEqual(unknown.status, 404)
        let unknownGet = try await client.request("GET", "/mcp", headers: ["Mcp-Session-Id": "nope", "Accept": "text/event-stream"])
        XCTAssertEqual(unknownGet.status, 404)
        let wrongPath = try await client.request("POST", "/other", body: FrontFixture.initializeBody)
        XCTAssertEqual(wrongPath.status, 404)
        let put = try await client.request("PUT", "/mcp", body: "{}")
        XCTAssertEqual(put.status, 405)
        XCTAssertEqual(put.header("allow"), "GET, POST, DELETE")
        XCTAssertEqual(front.proxy.count, 0)
        await front.stop()
    }

    func testOriginCheck() async throws {
        let front = try await FrontFixture.start { $0.allowedOrigins = ["https://app.example.com"] }
        let client = try await front.client()
        let foreign = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Origin": "https://evil.example"])
        XCTAssertEqual(foreign.status, 403)
        let rebinding = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Origin": "http://localhost.evil.example"])
        XCTAssertEqual(rebinding.status, 403)
        XCTAssertEqual(front.proxy.count, 0)
        for origin in ["http://localhost:3000", "https://127.0.0.1", "http://[::1]:8080", "https://app.example.com"] {
            let allowed = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Origin": origin])
            XCTAssertEqual(allowed.status, 200, origin)
        }
        await front.stop()
    }

    func testOversizedBodyGets413() async throws {
        let front = try await FrontFixture.start { $0.maxBodyBytes = 1024 }
        let client = try await front.client()
        let padding = String(repeating: "x", count: 2048)
        let body = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"\#(padding)"}}"#
        let response = try await client.request("POST", "/mcp", body: body)
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(front.proxy.count, 0)
        // A body within the limit is fine.
        let fits = try await front.client().request("POST", "/mcp", body: FrontFixture.initializeBody)
        XCTAssertEqual(fits.status, 200)
        await front.stop()
    }

    func testOversizedChunkedBodyGets413() async throws {
        let front = try await FrontFixture.start { $0.maxBodyBytes = 1024 }
        let client = try await front.client()
        let chunk = String(repeating: "y", count: 800)
        let chunkLine = String(chunk.utf8.count, radix: 16)
        try await client.write(
            "POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "\(chunkLine)\r\n\(chunk)\r\n\(chunkLine)\r\n\(chunk)\r\n0\r\n\r\n")
        let response = try await client.readResponse()
        XCTAssertEqual(response.status, 413)
        await front.stop()
    }

    func testProtocolVersionHeaderCheck() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let bad = try await client.request(
            "POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": id, "MCP-Protocol-Version": "1999-01-01"])
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue(bad.text.contains("1999-01-01"), bad.text)
        let good = try await client.request(
            "POST", "/mcp", body: toolCall(id: 3, name: "echo"), headers: ["Mcp-Session-Id": id, "MCP-Protocol-Version": "2025-06-18"])
        XCTAssertEqual(good.status, 200)
        await front.stop()
    }

    func testAcceptContentTypeAndParseErrors() async throws {
        let front = try await FrontFixture.start()
        let client = try await front.client()
        let notAcceptable = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Accept": "text/html"])
        XCTAssertEqual(notAcceptable.status, 406)
        let wrongType = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Content-Type": "text/plain"])
        XCTAssertEqual(wrongType.status, 415)
        let broken = try await client.request("POST", "/mcp", body: #"{"jsonrpc":"2.0","id":1,"method":"#)
        XCTAssertEqual(broken.status, 400)
        XCTAssertTrue(broken.text.contains("-32700"), broken.text)
        XCTAssertEqual(front.proxy.count, 0)
        await front.stop()
    }

    func testDeleteEndsTheSession() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let session = try await front.proxy.session()
        let deleted = try await client.request("DELETE", "/mcp", headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(deleted.status, 200)
        let closed = await session.wait { $0.closeReason != nil }
        XCTAssertTrue(closed)
        XCTAssertEqual(session.closeReason, .endOfStream)
        XCTAssertEqual(front.server.sessionCount, 0)
        let after = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(after.status, 404)
        XCTAssertFalse(session.transport.send(EchoSession.logMessage("late")), "a closed session refuses messages")
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertEqual(session.closeCount, 1)
        await front.stop()
    }

    func testIdleSessionsExpire() async throws {
        let front = try await FrontFixture.start { $0.sessionIdleTimeout = .milliseconds(200) }
        let (client, id) = try await front.initialize()
        let session = try await front.proxy.session()
        let expired = await session.wait(timeout: .seconds(5)) { $0.closeReason != nil }
        XCTAssertTrue(expired)
        XCTAssertEqual(session.closeReason, .endOfStream)
        XCTAssertEqual(front.server.sessionCount, 0)
        let after = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(after.status, 404)
        await front.stop()
    }

    func testProxyCloseEndsTheSession() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let session = try await front.proxy.session()
        await session.transport.close()
        let closed = await session.wait { $0.closeReason != nil }
        XCTAssertTrue(closed)
        XCTAssertEqual(session.closeReason, .closedLocally)
        let after = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(after.status, 404)
        await front.stop()
    }

    func testBatchesOnlyUnder2025_03_26() async throws {
        let front = try await FrontFixture.start()
        let batch = "[\(toolCall(id: 10, name: "echo")),\(toolCall(id: 11, name: "echo")),{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}]"
        let (modern, modernID) = try await front.initialize(version: "2025-06-18")
        let refused = try await modern.request("POST", "/mcp", body: batch, headers: ["Mcp-Session-Id": modernID])
        XCTAssertEqual(refused.status, 400)
        XCTAssertTrue(refused.text.contains("2025-03-26"), refused.text)

        let (old, oldID) = try await front.initialize(version: "2025-03-26")
        let answered = try await old.request("POST", "/mcp", body: batch, headers: ["Mcp-Session-Id": oldID])
        XCTAssertEqual(answered.status, 200)
        XCTAssertTrue(answered.text.hasPrefix("["), answered.text)
        XCTAssertTrue(answered.text.contains(#""id":10"#) && answered.text.contains(#""id":11"#), answered.text)
        let notificationsOnly = try await old.request(
            "POST", "/mcp", body: #"[{"jsonrpc":"2.0","method":"notifications/a"},{"jsonrpc":"2.0","method":"notifications/b"}]"#,
            headers: ["Mcp-Session-Id": oldID])
        XCTAssertEqual(notificationsOnly.status, 202)
        await front.stop()
    }

    func testDuplicateRequestIDIsRefused() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        try await client.send("POST", "/mcp", body: toolCall(id: 7, name: "hold"), headers: ["Mcp-Session-Id": id])
        let session = try await front.proxy.session()
        _ = await session.wait { !$0.held.isEmpty }
        let second = try await front.client().request("POST", "/mcp", body: toolCall(id: 7, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(second.status, 400)
        await front.stop()
    }
}
