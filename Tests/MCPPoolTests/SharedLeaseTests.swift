import MCPPool
import MCPReliability
import Testing

@Suite struct SharedLeaseTests {
    @Test func startOpensSizeConnectionsOnce() async {
        let upstream = FakeUpstream()
        let recorder = EventRecorder()
        let pool = makePool(PoolConfiguration(size: 2, max: 4), upstream: upstream, recorder: recorder)
        pool.start()
        pool.start()
        #expect(await eventually { pool.statistics.open == 2 })
        try? await Task.sleep(for: .milliseconds(10))
        #expect(upstream.openCount == 2)
        #expect(recorder.count(.opened) == 2)
        #expect(pool.statistics == PoolStatistics(open: 2, usable: 2, opened: 2))
        #expect(pool.usableConnections.count == 2)
    }

    @Test func startWithSizeZeroOpensNothing() async {
        let upstream = FakeUpstream()
        let pool = makePool(PoolConfiguration(size: 0, max: 2), upstream: upstream)
        pool.start()
        try? await Task.sleep(for: .milliseconds(10))
        #expect(upstream.openCount == 0)
        #expect(pool.tryAcquire(.shared) == nil)
        #expect(pool.tryAcquire(.exclusive) == nil)
        try? await Task.sleep(for: .milliseconds(10))
        #expect(upstream.openCount == 0, "tryAcquire must never open")
    }

    @Test func sharedLeasesGoToTheConnectionWithFewestUsers() async throws {
        let upstream = FakeUpstream()
        let pool = makePool(PoolConfiguration(size: 2), upstream: upstream)
        pool.start()
        #expect(await eventually { pool.statistics.open == 2 })
        let leases = (0..<4).compactMap { _ in pool.tryAcquire(.shared) }
        #expect(leases.count == 4)
        #expect(leases.allSatisfy { $0.mode == .shared })
        let perConnection = Dictionary(grouping: leases, by: { $0.connection.number }).mapValues(\.count)
        #expect(perConnection.values.sorted() == [2, 2])
        #expect(pool.statistics.sharedUsers == 4)
        // Free one connection entirely: the next shared lease goes there.
        let first = try #require(leases.first?.connection.number)
        for lease in leases where lease.connection.number == first { pool.release(lease) }
        let next = try #require(pool.tryAcquire(.shared))
        #expect(next.connection.number == first)
        pool.release(next)
        for lease in leases where lease.connection.number != first { pool.release(lease) }
        #expect(pool.statistics.sharedUsers == 0)
    }

    @Test func concurrentSharedAcquiresShareOneOpen() async {
        let upstream = FakeUpstream()
        upstream.hold()
        let pool = makePool(PoolConfiguration(size: 0, max: 3), upstream: upstream)
        let tasks = (0..<5).map { _ in Task { await attempt(pool, .shared, timeout: .seconds(30)) } }
        #expect(await eventually { pool.statistics.waiting == 5 && upstream.heldCount == 1 })
        try? await Task.sleep(for: .milliseconds(5))
        #expect(upstream.openCount == 1)
        #expect(pool.statistics.opening == 1)
        upstream.resumeHeld()
        var numbers: Set<Int> = []
        for task in tasks {
            let lease = await task.value.value
            #expect(lease != nil)
            if let lease { numbers.insert(lease.connection.number) }
        }
        #expect(numbers == [1])
        #expect(pool.statistics.sharedUsers == 5)
        #expect(upstream.openCount == 1)
    }

    @Test func sharedWaiterOpensAnotherConnectionWhenAllAreExclusive() async {
        let upstream = FakeUpstream()
        let pool = makePool(PoolConfiguration(size: 1, max: 2), upstream: upstream)
        pool.start()
        #expect(await eventually { pool.statistics.open == 1 })
        let exclusive = pool.tryAcquire(.exclusive)
        #expect(exclusive != nil)
        #expect(pool.tryAcquire(.shared) == nil)
        let shared = await attempt(pool, .shared, timeout: .seconds(30)).value
        #expect(shared?.connection.number == 2)
        #expect(pool.statistics == PoolStatistics(open: 2, usable: 2, exclusiveLeases: 1, sharedUsers: 1, opened: 2))
    }
}
