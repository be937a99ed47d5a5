import MCPPool
import MCPReliability
import Testing

@Suite struct DrainTests {
    @Test func drainFailsWaitersRefusesAcquiresAndWaitsForLeases() async throws {
        let upstream = FakeUpstream()
        let pool = makePool(PoolConfiguration(size: 1, max: 1), upstream: upstream)
        pool.start()
        #expect(await eventually { pool.statistics.open == 1 })
        let lease = try #require(pool.tryAcquire(.exclusive))
        let waiter = Task { await attempt(pool, .shared, timeout: .seconds(30)) }
        #expect(await eventually { pool.statistics.waiting == 1 })
        let start = ContinuousClock.now
        let drain = Task { await pool.drain(timeout: .seconds(30)) }
        #expect(await waiter.value.failure == .draining)
        #expect(await attempt(pool, .shared, timeout: .seconds(30)).failure == .draining)
        #expect(pool.tryAcquire(.shared) == nil)
        #expect(lease.connection.closeCount == 0, "drain waits for the lease")
        pool.release(lease)
        await drain.value
        #expect(ContinuousClock.now - start < .seconds(10), "drain ends when the lease comes back, not at its timeout")
        #expect(lease.connection.closeCount == 1)
        #expect(pool.statistics == PoolStatistics(opened: 1, closed: 1))
    }

    @Test func drainClosesLeasedConnectionsAfterItsTimeout() async throws {
        let pool = makePool(PoolConfiguration(size: 1), upstream: FakeUpstream())
        pool.start()
        #expect(await eventually { pool.statistics.open == 1 })
        let lease = try #require(pool.tryAcquire(.shared))
        let start = ContinuousClock.now
        await pool.drain(timeout: .milliseconds(40))
        #expect(ContinuousClock.now - start >= .milliseconds(40))
        #expect(lease.connection.closeCount == 1)
        pool.release(lease)
        #expect(pool.statistics == PoolStatistics(opened: 1, closed: 1))
    }

    @Test func drainClosesEveryConnectionExactlyOnceIncludingOpeningOnes() async throws {
        let upstream = FakeUpstream()
        let recorder = EventRecorder()
        let pool = makePool(PoolConfiguration(size: 2, max: 4), upstream: upstream, recorder: recorder)
        pool.start()
        #expect(await eventually { pool.statistics.open == 2 })
        let leases = [pool.tryAcquire(.exclusive), pool.tryAcquire(.shared)]
        #expect(leases.allSatisfy { $0 != nil })
        upstream.hold()
        let waiter = Task { await attempt(pool, .exclusive, timeout: .seconds(30)) }
        #expect(await eventually { upstream.heldCount == 1 })
        pool.connectionLost(upstream.connections[0])
        await pool.drain(timeout: .zero)
        #expect(await waiter.value.failure == .draining)
        #expect(upstream.connections.map(\.closeCount) == [1, 1])
        upstream.resumeHeld()
        #expect(await eventually { upstream.connections.count == 3 && upstream.connections[2].closeCount == 1 })
        for lease in leases.compactMap({ $0 }) { pool.release(lease) }
        await pool.drain(timeout: .zero)
        try? await Task.sleep(for: .milliseconds(10))
        #expect(upstream.connections.map(\.closeCount) == [1, 1, 1])
        #expect(pool.statistics == PoolStatistics(opened: 2, closed: 3))
        #expect(recorder.count(.opened) == 2, "the connection that completed during the drain never joined")
    }

    @Test func drainWaitsForOpensInFlight() async {
        let upstream = FakeUpstream()
        upstream.hold()
        let pool = makePool(PoolConfiguration(size: 1), upstream: upstream)
        pool.start()
        #expect(await eventually { upstream.heldCount == 1 })
        let drain = Task { await pool.drain(timeout: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(10))
        upstream.resumeHeld()
        await drain.value
        #expect(upstream.connections.map(\.closeCount) == [1])
        #expect(pool.statistics.closed == 1)
    }

    @Test func poolIsFreedAfterDrainDespiteAPendingReopen() async {
        let upstream = FakeUpstream()
        upstream.failNext(100)
        var pool: FakePool? = makePool(
            PoolConfiguration(size: 1, reopenBackoff: RestartBackoff(first: .seconds(10))), upstream: upstream)
        pool?.start()
        #expect(await eventually { pool?.statistics.openFailures == 1 })
        await pool?.drain(timeout: .zero)
        weak let weakPool = pool
        pool = nil
        #expect(weakPool == nil)
    }

    @Test func poolIsFreedWhileAnOpenIsInFlightAndTheConnectionIsClosed() async {
        let upstream = FakeUpstream()
        upstream.hold()
        var pool: FakePool? = makePool(PoolConfiguration(size: 1), upstream: upstream)
        pool?.start()
        #expect(await eventually { upstream.heldCount == 1 })
        weak let weakPool = pool
        pool = nil
        #expect(weakPool == nil)
        upstream.resumeHeld()
        #expect(await eventually { upstream.connections.first?.closeCount == 1 })
    }
}
