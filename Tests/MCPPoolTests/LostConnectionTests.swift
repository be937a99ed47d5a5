import MCPPool
import MCPReliability
import Testing

@Suite struct LostConnectionTests {
    private func warmPool(size: Int = 1, upstream: FakeUpstream, recorder: EventRecorder? = nil) async -> FakePool {
        let pool = makePool(
            PoolConfiguration(size: size, max: 2, reopenBackoff: RestartBackoff(first: .milliseconds(5))),
            upstream: upstream, clock: SystemReliabilityClock(), recorder: recorder)
        pool.start()
        _ = await eventually { pool.statistics.open == size }
        return pool
    }

    @Test func lostConnectionIsClosedOnceAndReopenedBelowSize() async throws {
        let upstream = FakeUpstream()
        let recorder = EventRecorder()
        let pool = await warmPool(upstream: upstream, recorder: recorder)
        let lease = try #require(pool.tryAcquire(.shared))
        let lost = lease.connection
        pool.connectionLost(lost)
        pool.connectionLost(lost)
        #expect(await eventually { lost.closeCount == 1 })
        #expect(await eventually { pool.statistics.usable == 1 })
        #expect(upstream.openCount == 2)
        pool.release(lease)
        #expect(pool.statistics == PoolStatistics(open: 1, usable: 1, opened: 2, closed: 1))
        #expect(recorder.count(.lost) == 1)
        #expect(lost.closeCount == 1)
        #expect(pool.tryAcquire(.exclusive)?.connection.number == 2)
    }

    @Test func connectionFoundNotUsableIsTreatedAsLost() async throws {
        let upstream = FakeUpstream()
        let recorder = EventRecorder()
        let pool = await warmPool(upstream: upstream, recorder: recorder)
        let stopped = try #require(upstream.connections.first)
        stopped.stop()
        #expect(pool.tryAcquire(.shared) == nil)
        #expect(await eventually { stopped.closeCount == 1 })
        #expect(recorder.count(.lost) == 1)
        #expect(await eventually { pool.tryAcquire(.shared) != nil })
        #expect(pool.usableConnections.map(\.number) == [2])
    }

    @Test func usableConnectionsLeavesOutStoppedOnes() async throws {
        let upstream = FakeUpstream()
        let pool = await warmPool(size: 2, upstream: upstream)
        let stopped = try #require(upstream.connections.first)
        stopped.stop()
        let usable = pool.usableConnections
        #expect(usable.count == 1)
        #expect(!usable.contains { $0 === stopped })
        #expect(await eventually { stopped.closeCount == 1 })
    }

    @Test func lostConnectionBeyondSizeIsNotReopened() async throws {
        let upstream = FakeUpstream()
        let pool = makePool(
            PoolConfiguration(size: 0, max: 2, reopenBackoff: RestartBackoff(first: .milliseconds(5))),
            upstream: upstream, clock: SystemReliabilityClock())
        let lease = try #require(await attempt(pool, .shared, timeout: .seconds(30)).value)
        pool.connectionLost(lease.connection)
        try? await Task.sleep(for: .milliseconds(40))
        #expect(upstream.openCount == 1)
        #expect(pool.statistics == PoolStatistics(opened: 1, closed: 1))
        #expect(lease.connection.closeCount == 1)
    }

    @Test func waiterOnALostConnectionGetsTheReopenedOne() async throws {
        let upstream = FakeUpstream()
        let pool = await warmPool(upstream: upstream)
        let holder = try #require(pool.tryAcquire(.exclusive))
        upstream.hold()
        let waiter = Task { await attempt(pool, .exclusive, timeout: .seconds(30)) }
        // max 2: the waiter opens a second connection, which hangs.
        #expect(await eventually { pool.statistics.waiting == 1 && upstream.heldCount == 1 })
        pool.connectionLost(holder.connection)
        upstream.resumeHeld()
        let lease = await waiter.value.value
        #expect(lease != nil)
        #expect(lease?.connection !== holder.connection)
        pool.release(holder)
        #expect(pool.statistics.exclusiveLeases == 1)
    }
}
