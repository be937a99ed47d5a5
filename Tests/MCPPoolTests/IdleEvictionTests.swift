import MCPPool
import MCPReliability
import Testing

@Suite struct IdleEvictionTests {
    @Test func evictsOnlyIdleConnectionsBeyondSize() async throws {
        let upstream = FakeUpstream()
        let clock = ManualClock()
        let recorder = EventRecorder()
        let pool = makePool(
            PoolConfiguration(size: 1, max: 3, idleTimeout: .seconds(60)),
            upstream: upstream, clock: clock, recorder: recorder)
        pool.start()
        #expect(await eventually { pool.statistics.open == 1 })
        var leases: [FakeLease] = []
        for _ in 0..<3 {
            leases.append(try #require(await attempt(pool, .exclusive, timeout: .seconds(30)).value))
        }
        #expect(pool.statistics.open == 3)
        pool.release(leases[0])
        pool.release(leases[1])
        clock.advance(by: .seconds(59))
        pool.evictIdle()
        #expect(pool.statistics.open == 3, "not idle long enough")

        clock.advance(by: .seconds(2))
        pool.evictIdle()
        // Both idle ones go; the leased one stays (and is the one `size` keeps).
        #expect(pool.statistics.open == 1)
        #expect(recorder.count(.closedIdle) == 2)
        #expect(await eventually { upstream.connections.filter { $0.closeCount == 1 }.count == 2 })
        #expect(leases[2].connection.closeCount == 0, "a leased connection is never evicted")
        #expect(pool.tryAcquire(.shared) == nil)

        pool.release(leases[2])
        clock.advance(by: .seconds(600))
        pool.evictIdle()
        #expect(pool.statistics.open == 1, "size connections stay open however idle")
        #expect(pool.statistics.closed == 2)
        #expect(upstream.connections.allSatisfy { $0.closeCount <= 1 })
    }

    @Test func idleTimeCountsFromTheLastRelease() async throws {
        let upstream = FakeUpstream()
        let clock = ManualClock()
        let pool = makePool(PoolConfiguration(size: 0, max: 1, idleTimeout: .seconds(60)), upstream: upstream, clock: clock)
        let lease = try #require(await attempt(pool, .shared, timeout: .seconds(30)).value)
        clock.advance(by: .seconds(120))
        pool.evictIdle()
        #expect(pool.statistics.open == 1, "in use")
        pool.release(lease)
        clock.advance(by: .seconds(30))
        pool.evictIdle()
        #expect(pool.statistics.open == 1, "idle for 30 s only")
        clock.advance(by: .seconds(30))
        pool.evictIdle()
        #expect(pool.statistics.open == 0)
        #expect(await eventually { lease.connection.closeCount == 1 })
    }

    @Test func withoutIdleTimeoutNothingIsEvicted() async throws {
        let upstream = FakeUpstream()
        let clock = ManualClock()
        let pool = makePool(PoolConfiguration(size: 0, max: 2, idleTimeout: nil), upstream: upstream, clock: clock)
        let lease = try #require(await attempt(pool, .shared, timeout: .seconds(30)).value)
        pool.release(lease)
        clock.advance(by: .seconds(100_000))
        pool.evictIdle()
        #expect(pool.statistics.open == 1)
    }
}
