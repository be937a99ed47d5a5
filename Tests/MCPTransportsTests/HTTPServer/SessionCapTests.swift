import Foundation
import MCPTransports
import XCTest

/// Caps on open sessions: in all (503) and per principal (429); open sessions are unaffected.
final class SessionCapTests: XCTestCase {
    func testPerPrincipalCapAnswers429AndLeavesOthersAlone() async throws {
        let front = try await FrontFixture.start {
            $0.admission = FakeAdmission()
            $0.maxSessionsPerPrincipal = 2
        }
        let client = try await front.client()
        var ids: [String] = []
        for _ in 0..<2 {
            let response = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Authorization": "Bearer alice"])
            XCTAssertEqual(response.status, 200)
            ids.append(try XCTUnwrap(response.header("mcp-session-id")))
        }
        let third = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Authorization": "Bearer alice;role=x"])
        XCTAssertEqual(third.status, 429, third.text)
        XCTAssertEqual(third.header("retry-after"), "5")
        XCTAssertEqual(third.header("content-type"), "application/json")
        XCTAssertTrue(third.text.contains(#""code":-32600"#) && third.text.contains("limit of 2 open sessions"), third.text)
        let sse = try await client.request("GET", "/sse", headers: ["Accept": "text/event-stream", "Authorization": "Bearer alice"])
        XCTAssertEqual(sse.status, 429, "the cap counts sessions of every transport")

        let other = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Authorization": "Bearer bob"])
        XCTAssertEqual(other.status, 200, "another principal is not affected")
        let call = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": ids[0], "Authorization": "Bearer alice"])
        XCTAssertEqual(call.status, 200, "open sessions keep working")

        let deleted = try await client.request("DELETE", "/mcp", headers: ["Mcp-Session-Id": ids[1], "Authorization": "Bearer alice"])
        XCTAssertEqual(deleted.status, 200)
        let again = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: ["Authorization": "Bearer alice"])
        XCTAssertEqual(again.status, 200, "an ended session frees its place")
        XCTAssertEqual(front.server.connectionStatistics.refusedSessions, 2)
        await front.stop()
    }

    func testTotalCapAnswers503OnEveryTransport() async throws {
        let front = try await FrontFixture.start {
            $0.maxSessions = 2
            $0.maxSessionsPerPrincipal = 1  // not applied to anonymous sessions
        }
        let (client, id) = try await front.initialize()
        _ = try await front.initialize()
        let third = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody)
        XCTAssertEqual(third.status, 503, third.text)
        XCTAssertEqual(third.header("retry-after"), "5")
        XCTAssertTrue(third.text.contains("limit of 2 open sessions"), third.text)
        let sse = try await client.request("GET", "/sse", headers: ["Accept": "text/event-stream"])
        XCTAssertEqual(sse.status, 503)
        let socket = try await front.client()
        let upgrade = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await socket.write(upgrade)
        let refusedUpgrade = try await socket.readResponse()
        XCTAssertEqual(refusedUpgrade.status, 503, refusedUpgrade.text)
        XCTAssertEqual(refusedUpgrade.header("retry-after"), "5")

        let call = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(call.status, 200, "open sessions keep working")
        XCTAssertEqual(front.server.sessionCount, 2)
        XCTAssertEqual(front.proxy.count, 2)
        await front.stop()
    }
}
