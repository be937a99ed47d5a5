import Foundation
import MCPTransports
import XCTest

/// Failed handshakes, many clients at once, and shutdown.
final class HTTPFrontLifecycleTests: XCTestCase {
    func testFailedInitializeGetsNoSessionID() async throws {
        let front = try await FrontFixture.start()
        let client = try await front.client()
        let body = FrontFixture.initializeBody.replacingOccurrences(of: "2025-11-25", with: "refuse")
        let response = try await client.request("POST", "/mcp", body: body)
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.text.contains(#""error""#), response.text)
        XCTAssertNil(response.header("mcp-session-id"))
        let session = try await front.proxy.session()
        let ended = await session.wait { $0.closeReason != nil }
        XCTAssertTrue(ended)
        XCTAssertEqual(front.server.sessionCount, 0)
        await front.stop()
    }

    /// A hostile client re-sends `initialize` inside its live session: the error the proxy answers
    /// reaches the client, and the session goes on (it used to end, the next call got 404).
    func testInitializeErrorInsideALiveSessionKeepsTheSession() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let session = try await front.proxy.session()
        let again = FrontFixture.initializeBody.replacingOccurrences(of: "2025-11-25", with: "refuse").replacingOccurrences(of: #""id":1"#, with: #""id":2"#)
        let refused = try await client.request("POST", "/mcp", body: again, headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(refused.status, 200)
        XCTAssertTrue(refused.text.contains(#""error""#) && refused.text.contains(#""id":2"#), refused.text)
        XCTAssertNil(refused.header("mcp-session-id"), "only the initialize that creates a session returns its id")
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertNil(session.closeReason, "the session must not end")
        XCTAssertEqual(front.server.sessionCount, 1)
        let after = try await client.request("POST", "/mcp", body: toolCall(id: 3, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(after.status, 200, after.text)
        XCTAssertTrue(after.text.contains(#""id":3"#), after.text)
        // A second initialize answered with success does not renegotiate the session's version either.
        let older = FrontFixture.initializeBody.replacingOccurrences(of: "2025-11-25", with: "2025-03-26").replacingOccurrences(of: #""id":1"#, with: #""id":6"#)
        let accepted = try await client.request("POST", "/mcp", body: older, headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(accepted.status, 200, accepted.text)
        let batch = #"[{"jsonrpc":"2.0","id":4,"method":"ping"},{"jsonrpc":"2.0","id":5,"method":"ping"}]"#
        let batchAnswer = try await client.request("POST", "/mcp", body: batch, headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(batchAnswer.status, 400, "batches stay refused under 2025-11-25: \(batchAnswer.text)")
        await front.stop()
    }

    func testConcurrentRequestsFromManyConnectionsOnOneSession() async throws {
        let front = try await FrontFixture.start()
        let (_, id) = try await front.initialize()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    let client = try await front.client()
                    for round in 0..<25 {
                        let requestID = 1000 + worker * 100 + round
                        let tool = round % 2 == 0 ? "echo" : "notify-first"
                        try await client.send("POST", "/mcp", body: toolCall(id: requestID, name: tool), headers: ["Mcp-Session-Id": id])
                        let head = try await client.readHead()
                        XCTAssertEqual(head.status, 200)
                        if tool == "echo" {
                            XCTAssertEqual(head.header("content-type"), "application/json")
                            let length = Int(head.header("content-length") ?? "") ?? -1
                            XCTAssertGreaterThan(length, 0)
                            let body = try await client.readJSONBody(length: length)
                            XCTAssertTrue(body.contains(#""id":\#(requestID)"#), body)
                        } else {
                            XCTAssertEqual(head.header("content-type"), "text/event-stream")
                            let note = try await client.nextEvent()
                            XCTAssertTrue(note.data.contains("working on it"))
                            let result = try await client.nextEvent()
                            XCTAssertTrue(result.data.contains(#""id":\#(requestID)"#), result.data)
                            let ended = await client.streamEnds()
                            XCTAssertTrue(ended)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(front.server.sessionCount, 1)
        await front.stop()
    }

    func testShutdownEndsSessionsAndStreams() async throws {
        let front = try await FrontFixture.start()
        let (_, id) = try await front.initialize()
        let stream = try await front.client()
        try await stream.send("GET", "/mcp", headers: ["Mcp-Session-Id": id, "Accept": "text/event-stream"])
        _ = try await stream.readHead()
        let legacy = try await front.client()
        try await legacy.send("GET", "/sse", headers: ["Accept": "text/event-stream"])
        _ = try await legacy.readHead()
        let streamable = try await front.proxy.session(0)
        let old = try await front.proxy.session(1)
        XCTAssertEqual(front.server.sessionCount, 2)

        await front.server.shutdown(grace: .milliseconds(100))
        XCTAssertEqual(front.server.sessionCount, 0)
        // Close reasons reach the sinks on their event loops; wait for both.
        let reported = await streamable.wait { $0.closeReason != nil }
        let oldReported = await old.wait { $0.closeReason != nil }
        XCTAssertTrue(reported && oldReported)
        XCTAssertEqual(streamable.closeReason, .closedLocally)
        XCTAssertEqual(old.closeReason, .closedLocally)
        let streamClosed = await stream.waitUntilClosed()
        XCTAssertTrue(streamClosed)
        let legacyClosed = await legacy.waitUntilClosed()
        XCTAssertTrue(legacyClosed)
        do {
            _ = try await RawHTTPClient.connect(port: front.port)
            XCTFail("the listener must be closed")
        } catch {}
    }
}
