@testable import MCPTransports
import Foundation
import Logging
import NIOCore
import NIOPosix
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The connection guards of the front: caps on open connections (total, per address), the header
/// timeout (slowloris), the idle keep-alive timeout, and the pause on `EMFILE`.
final class ConnectionGuardTests: XCTestCase {
    /// Opens `count` connections and waits until the front had time to refuse some; returns them
    /// with whether each was closed by the front.
    private func open(_ count: Int, on front: FrontFixture) async throws -> [RawHTTPClient] {
        var clients: [RawHTTPClient] = []
        for _ in 0..<count { clients.append(try await front.client()) }
        try await Task.sleep(for: .milliseconds(200))
        return clients
    }

    private func closedCount(_ clients: [RawHTTPClient]) async -> Int {
        var closed = 0
        for client in clients where await client.waitUntilClosed(timeout: .milliseconds(1)) { closed += 1 }
        return closed
    }

    func testConnectionsPastTheTotalCapAreClosedAtAccept() async throws {
        let front = try await FrontFixture.start { $0.maxConnections = 4 }
        let clients = try await open(7, on: front)
        let closed = await closedCount(clients)
        XCTAssertEqual(closed, 3, "connections 5 to 7 are closed at accept")
        XCTAssertEqual(front.server.connectionStatistics.refusedOverTotal, 3)
        XCTAssertEqual(front.server.connectionStatistics.open, 4)
        let first = try await clients[0].request("POST", "/mcp", body: FrontFixture.initializeBody)
        XCTAssertEqual(first.status, 200, "admitted connections work")

        await clients[1].close()
        try await Task.sleep(for: .milliseconds(100))
        let later = try await front.client()
        let response = try await later.request("POST", "/mcp", body: FrontFixture.initializeBody)
        XCTAssertEqual(response.status, 200, "a closed connection frees its place")
        await front.stop()
    }

    func testConnectionsPastThePerAddressCapAreClosedAtAccept() async throws {
        let front = try await FrontFixture.start { $0.maxConnectionsPerAddress = 2 }
        let clients = try await open(5, on: front)
        let closed = await closedCount(clients)
        XCTAssertEqual(closed, 3)
        XCTAssertEqual(front.server.connectionStatistics.refusedOverAddress, 3)
        XCTAssertEqual(front.server.connectionStatistics.refusedOverTotal, 0)
        await front.stop()
    }

    /// One header byte every 100 ms: cut at the header timeout (300 ms here), not kept forever.
    func testSlowlorisIsCutAtTheHeaderTimeout() async throws {
        let front = try await FrontFixture.start {
            $0.headerTimeout = .milliseconds(300)
            $0.idleTimeout = .seconds(30)
        }
        let client = try await front.client()
        let started = ContinuousClock.now
        let request = Array("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".utf8)
        var sent = 0
        while sent < request.count, !(await client.waitUntilClosed(timeout: .milliseconds(100))) {
            try? await client.write(bytes: [request[sent]])
            sent += 1
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertLessThan(sent, request.count, "the head was never completed")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(250))
        XCTAssertLessThan(elapsed, .milliseconds(1000), "cut at the header timeout, after \(elapsed)")
        XCTAssertEqual(front.server.connectionStatistics.headerTimeouts, 1)
        await front.stop()
    }

    /// The behaviour before the guard: with the header timeout off, the same client stays connected.
    func testWithoutHeaderTimeoutASlowlorisStaysConnected() async throws {
        let front = try await FrontFixture.start {
            $0.headerTimeout = .zero
            $0.idleTimeout = .zero
        }
        let client = try await front.client()
        for byte in Array("POST /mcp HTTP/1.1\r\nHost:".utf8).prefix(12) {
            try await client.write(bytes: [byte])
            try await Task.sleep(for: .milliseconds(100))
        }
        let closed = await client.waitUntilClosed(timeout: .milliseconds(10))
        XCTAssertFalse(closed)
        await front.stop()
    }

    func testASilentNewConnectionIsCutAtTheHeaderTimeout() async throws {
        let front = try await FrontFixture.start {
            $0.headerTimeout = .milliseconds(300)
            $0.idleTimeout = .seconds(30)
        }
        let client = try await front.client()
        let closed = await client.waitUntilClosed(timeout: .seconds(2))
        XCTAssertTrue(closed)
        XCTAssertEqual(front.server.connectionStatistics.headerTimeouts, 1)
        await front.stop()
    }

    func testIdleKeepAliveConnectionIsClosedButOpenStreamsAndRequestsAreNot() async throws {
        let front = try await FrontFixture.start {
            $0.headerTimeout = .milliseconds(300)
            $0.idleTimeout = .milliseconds(300)
            $0.keepAliveInterval = .seconds(30)
        }
        let (client, id) = try await front.initialize()
        let started = ContinuousClock.now
        let closed = await client.waitUntilClosed(timeout: .seconds(3))
        XCTAssertTrue(closed, "an idle keep-alive connection is closed")
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(1500))
        XCTAssertEqual(front.server.connectionStatistics.idleTimeouts, 1)

        // A GET stream open longer than the idle timeout stays open.
        let stream = try await front.client()
        try await stream.send("GET", "/mcp", headers: ["Mcp-Session-Id": id, "Accept": "text/event-stream"])
        let streamHead = try await stream.readHead()
        XCTAssertEqual(streamHead.status, 200)
        let streamClosed = await stream.waitUntilClosed(timeout: .milliseconds(900))
        XCTAssertFalse(streamClosed, "an open event stream is not idle")

        // A request in flight longer than the idle timeout is answered.
        let caller = try await front.client()
        try await caller.send("POST", "/mcp", body: toolCall(id: 9, name: "hold"), headers: ["Mcp-Session-Id": id])
        try await Task.sleep(for: .milliseconds(900))
        let session = try await front.proxy.session()
        session.transport.send(EchoSession.toolResult(idBytes: Array("9".utf8), text: "late"))
        let late = try await caller.readResponse()
        XCTAssertEqual(late.status, 200)
        XCTAssertTrue(late.text.contains("late"), late.text)
        await front.stop()
    }

    /// `EMFILE` on accept pauses accepting (autoRead off) for a moment instead of spinning.
    func testAcceptPausesOnDescriptorExhaustion() async throws {
        let tracker = ConnectionTracker()
        let logger = Logger(label: "backoff-test")
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(tracker: tracker, logger: logger))
                }
            }
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept"))
        channel.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept"))
        let paused = try await channel.getOption(.autoRead).get()
        XCTAssertFalse(paused, "accepting pauses")
        try await Task.sleep(for: .milliseconds(250))
        let resumed = try await channel.getOption(.autoRead).get()
        XCTAssertTrue(resumed, "and resumes after the pause")
        XCTAssertEqual(tracker.statistics.acceptBackoffs, 2)
        try await channel.close()
    }
}
