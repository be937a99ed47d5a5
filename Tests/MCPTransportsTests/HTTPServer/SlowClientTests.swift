import Foundation
import MCPTransports
import XCTest

/// A client that stops reading is cut off once `maxQueuedBytesPerStream` is queued for it; one
/// that reads is not. Sends are paced (a pause every 64 KiB) so the server can flush to a
/// reading client: only a stalled one makes bytes pile up.
final class SlowClientTests: XCTestCase {
    private static let chunk = String(repeating: "z", count: 16 << 10)
    private static let attempts = 1000  // 16 MiB, several times what the kernel buffers of a stalled connection hold

    /// Sends up to `attempts` 16 KiB messages, pausing after every fourth (and running `afterBurst`
    /// with the payload bytes sent so far); returns how many were taken.
    private func pump(
        _ session: EchoSession, label: (Int) -> String = { _ in "" }, afterBurst: (Int) async throws -> Void = { _ in }
    ) async throws -> Int {
        for index in 0..<Self.attempts {
            guard session.transport.send(EchoSession.logMessage("\(label(index))\(Self.chunk)")) else { return index }
            if index % 4 == 3 {
                try await Task.sleep(for: .milliseconds(1))
                try await afterBurst((index + 1) * Self.chunk.utf8.count)
            }
        }
        return Self.attempts
    }

    func testLegacySSEClientThatReadsIsNeverCutOff() async throws {
        let front = try await FrontFixture.start { $0.maxQueuedBytesPerStream = 256 << 10 }
        let reader = try await front.client()
        try await reader.send("GET", "/sse", headers: ["Accept": "text/event-stream"])
        _ = try await reader.readHead()
        let session = try await front.proxy.session()
        // The reader keeps up: each burst is read before the next one is sent.
        let accepted = try await pump(session, afterBurst: { sent in
            let caughtUp = await reader.waitUntilReceived(bytes: sent)
            XCTAssertTrue(caughtUp)
        })
        XCTAssertEqual(accepted, Self.attempts)
        XCTAssertNil(session.closeReason)
        await front.stop()
    }

    func testLegacySSEClientThatNeverReadsIsCutOffAndItsSessionEnds() async throws {
        let front = try await FrontFixture.start { $0.maxQueuedBytesPerStream = 256 << 10 }
        let stalled = try await front.client(autoRead: false, receiveBufferBytes: 4096)
        try await stalled.send("GET", "/sse", headers: ["Accept": "text/event-stream"])
        let session = try await front.proxy.session()
        let accepted = try await pump(session)
        XCTAssertLessThan(accepted, Self.attempts, "the stalled client must be cut off")
        let ended = await session.wait { $0.closeReason != nil }
        XCTAssertTrue(ended)
        if case .failed(let reason) = session.closeReason {
            XCTAssertTrue(reason.contains("stopped reading"), reason)
        } else {
            XCTFail("expected a failure reason, got \(String(describing: session.closeReason))")
        }
        XCTAssertEqual(front.server.sessionCount, 0)
        await front.stop()
    }

    func testStreamableGETClientThatNeverReadsIsCutOffAndTheSessionKeepsABoundedBacklog() async throws {
        let front = try await FrontFixture.start {
            $0.maxQueuedBytesPerStream = 256 << 10
            $0.replayBufferEvents = 16
        }
        let (_, id) = try await front.initialize()
        let session = try await front.proxy.session()
        let stalled = try await front.client(autoRead: false, receiveBufferBytes: 4096)
        try await stalled.send("GET", "/mcp", headers: ["Mcp-Session-Id": id, "Accept": "text/event-stream"])
        try await Task.sleep(for: .milliseconds(100))
        let accepted = try await pump(session, label: { "\($0) " })
        XCTAssertEqual(accepted, Self.attempts, "a Streamable HTTP session keeps taking messages into its bounded buffer")
        // The stalled stream was closed, so a new GET stream may open; it gets a bounded tail.
        var reader: RawHTTPClient?
        var status = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while status != 200 && ContinuousClock.now < deadline {
            let client = try await front.client()
            try await client.send("GET", "/mcp", headers: ["Mcp-Session-Id": id, "Accept": "text/event-stream"])
            status = try await client.readHead().status
            reader = client
            if status != 200 { try await Task.sleep(for: .milliseconds(50)) }
        }
        XCTAssertEqual(status, 200, "the stalled GET stream must have been cut off")
        let tail = await (try XCTUnwrap(reader)).eventsArriving(within: .milliseconds(300))
        XCTAssertFalse(tail.isEmpty)
        XCTAssertLessThanOrEqual(tail.count, 16)
        XCTAssertTrue(tail.last?.data.contains("\(Self.attempts - 1) ") ?? false)
        XCTAssertNil(session.closeReason, "cutting off one stream does not end the session")
        await front.stop()
    }

    func testWebSocketClientThatStopsReadingIsCutOff() async throws {
        let front = try await FrontFixture.start { $0.maxQueuedBytesPerStream = 256 << 10 }
        let client = try await front.client(receiveBufferBytes: 4096)
        try await client.write(
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let head = try await client.readHead()
        XCTAssertEqual(head.status, 101)
        try await client.channel.setOption(.autoRead, value: false).get()
        let session = try await front.proxy.session()
        let accepted = try await pump(session)
        XCTAssertLessThan(accepted, Self.attempts)
        let ended = await session.wait { $0.closeReason != nil }
        XCTAssertTrue(ended)
        XCTAssertEqual(front.server.sessionCount, 0)
        await front.stop()
    }
}
