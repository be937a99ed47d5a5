import Foundation
import NIOConcurrencyHelpers
import NIOCore
import XCTest

@testable import MCPTransports

/// The proxy-wide budget for the replay buffers of all Streamable HTTP sessions
/// (`HTTPFrontConfiguration.maxReplayBytesTotal`).
final class ReplayBudgetTests: XCTestCase {
    /// A member holding events of `size` bytes, oldest first.
    private final class FakeMember: ReplayBudgetMember {
        let name: String
        let size: Int
        private let events = NIOLockedValueBox<[Int]>([])
        let budget: ReplayBudget

        init(_ name: String, size: Int, budget: ReplayBudget) {
            self.name = name
            self.size = size
            self.budget = budget
        }

        var kept: [Int] { events.withLockedValue { $0 } }

        func append(_ count: Int) {
            for _ in 0..<count {
                events.withLockedValue { $0.append(($0.last ?? 0) + 1) }
                budget.adjust(self, by: size)
                budget.enforce()
            }
        }

        func shedReplay(atLeast bytes: Int) -> Int {
            var freed = 0
            events.withLockedValue { events in
                while freed < bytes, !events.isEmpty {
                    events.removeFirst()
                    freed += size
                }
            }
            budget.adjust(self, by: -freed)
            return freed
        }
    }

    func testTheLargestSessionsLoseTheirOldestEventsFirst() {
        let budget = ReplayBudget(limit: 1000)
        let big = FakeMember("big", size: 100, budget: budget)
        let small = FakeMember("small", size: 10, budget: budget)
        big.append(9)
        small.append(10)
        XCTAssertEqual(budget.totalBytes, 1000, "exactly at the budget: nothing dropped")
        XCTAssertEqual(big.kept, Array(1...9))
        small.append(1)
        XCTAssertLessThanOrEqual(budget.totalBytes, 1000)
        XCTAssertEqual(big.kept, Array(2...9), "the largest session gives up its oldest event")
        XCTAssertEqual(small.kept, Array(1...11), "the small session keeps everything")
        XCTAssertEqual(budget.shedEvents, 0, "fake members do not count drops")
    }

    func testEqualSessionsTakeTurns() {
        let budget = ReplayBudget(limit: 400)
        let first = FakeMember("first", size: 100, budget: budget)
        let second = FakeMember("second", size: 100, budget: budget)
        first.append(2)
        second.append(2)
        first.append(1)
        XCTAssertEqual(first.kept, [2, 3], "over by one event: the largest (first, 3 events) loses its oldest")
        second.append(1)
        XCTAssertEqual(budget.totalBytes, 400)
        XCTAssertEqual(first.kept.count + second.kept.count, 4)
        XCTAssertEqual(first.kept, [2, 3])
        XCTAssertEqual(second.kept, [2, 3], "then the second, now the largest, loses its oldest")
    }

    func testReleaseStopsCountingAnEndedSession() {
        let budget = ReplayBudget(limit: 1000)
        let member = FakeMember("m", size: 100, budget: budget)
        member.append(5)
        XCTAssertEqual(budget.totalBytes, 500)
        budget.release(member)
        XCTAssertEqual(budget.totalBytes, 0)
        XCTAssertFalse(budget.isExceeded)
    }

    // MARK: Over real sockets

    private func openGET(_ front: FrontFixture, session id: String, lastEventID: String? = nil) async throws -> RawHTTPClient {
        let client = try await front.client()
        var headers: [String: String?] = ["Mcp-Session-Id": id, "Accept": "text/event-stream"]
        if let lastEventID { headers["Last-Event-ID"] = lastEventID }
        try await client.send("GET", "/mcp", headers: headers)
        let head = try await client.readHead()
        XCTAssertEqual(head.status, 200)
        return client
    }

    private static func message(_ label: String) -> ByteBuffer {
        EchoSession.logMessage(label + String(repeating: "x", count: 900))
    }

    /// The size of one event as kept for replay (all test events are the same size).
    private static let eventBytes = SSEEncoder.encode(id: "0-1", event: nil, data: message("a1")).readableBytes

    func testTotalReplayBudgetDropsTheOldestEventsOfTheLargestSessionAcrossSessions() async throws {
        // Each session on its own could keep all of its events; together they may keep 10.
        let front = try await FrontFixture.start { $0.maxReplayBytesTotal = 10 * Self.eventBytes }
        let (_, first) = try await front.initialize()
        let big = try await front.proxy.session(0)
        let (_, second) = try await front.initialize()
        let small = try await front.proxy.session(1)

        // No GET stream is open: every event waits in its session's replay buffer.
        for index in 1...8 { XCTAssertTrue(big.transport.send(Self.message("a\(index)"))) }
        for index in 1...4 { XCTAssertTrue(small.transport.send(Self.message("b\(index)"))) }
        XCTAssertEqual(front.server.replayBufferedBytes, 10 * Self.eventBytes, "the total stays within the budget")
        XCTAssertEqual(front.server.replayEventsDroppedForBudget, 2)

        // The small session lost nothing; the big one lost its two oldest events.
        let smallStream = try await openGET(front, session: second)
        var smallSeen: [String] = []
        for _ in 1...4 { smallSeen.append(try await smallStream.nextEvent().data) }
        XCTAssertEqual(smallSeen.map { $0.contains("\"b") }, Array(repeating: true, count: 4))
        for (index, data) in smallSeen.enumerated() { XCTAssertTrue(data.contains("b\(index + 1)x"), data) }

        // A client of the big session that saw only a1 resumes: the events still kept follow its
        // Last-Event-ID (a2 is gone), as when its own buffer overflows.
        let bigStream = try await openGET(front, session: first, lastEventID: "0-1")
        var bigSeen: [String] = []
        for _ in 3...8 { bigSeen.append(try await bigStream.nextEvent().data) }
        for (offset, data) in bigSeen.enumerated() { XCTAssertTrue(data.contains("a\(offset + 3)x"), data) }
        let extra = await bigStream.eventsArriving(within: .milliseconds(100))
        XCTAssertEqual(extra, [])

        // An ended session no longer counts against the budget.
        await big.transport.close()
        await small.transport.close()
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertEqual(front.server.replayBufferedBytes, 0)
        await front.stop()
    }
}
