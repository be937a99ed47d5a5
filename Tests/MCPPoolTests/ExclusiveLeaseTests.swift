import MCPPool
import MCPReliability
import Testing

@Suite struct ExclusiveLeaseTests {
    private func warmPool(size: Int = 1, max: Int = 1, upstream: FakeUpstream) async -> FakePool {
        let pool = makePool(PoolConfiguration(size: size, max: max), upstream: upstream)
        pool.start()
        _ = await eventually { pool.statistics.open == size }
        return pool
    }

    @Test func exclusiveLeaseKeepsEveryoneElseOut() async throws {
        let pool = await warmPool(upstream: FakeUpstream())
        let lease = try #require(pool.tryAcquire(.exclusive))
        #expect(lease.mode == .exclusive)
        #expect(pool.tryAcquire(.shared) == nil)
        #expect(pool.tryAcquire(.exclusive) == nil)
        #expect(pool.statistics.exclusiveLeases == 1)
        pool.release(lease)
        #expect(pool.statistics.exclusiveLeases == 0)
        let shared = try #require(pool.tryAcquire(.shared))
        #expect(pool.tryAcquire(.exclusive) == nil, "a connection with a shared user is not free")
        pool.release(shared)
        #expect(pool.tryAcquire(.exclusive) != nil)
    }

    @Test func exclusiveWaitsForSharedUsersToLeave() async throws {
        let pool = await warmPool(upstream: FakeUpstream())
        let first = try #require(pool.tryAcquire(.shared))
        let second = try #require(pool.tryAcquire(.shared))
        let waiter = Task { await attempt(pool, .exclusive, timeout: .seconds(30)) }
        #expect(await eventually { pool.statistics.waiting == 1 })
        pool.release(first)
        try? await Task.sleep(for: .milliseconds(10))
        #expect(pool.statistics.waiting == 1, "one shared user is still on it")
        pool.release(second)
        let lease = await waiter.value.value
        #expect(lease?.mode == .exclusive)
        #expect(pool.statistics == PoolStatistics(open: 1, usable: 1, exclusiveLeases: 1, opened: 1))
    }

    @Test func exclusiveOpensBeyondSizeUpToMax() async throws {
        let upstream = FakeUpstream()
        let pool = await warmPool(size: 1, max: 2, upstream: upstream)
        let first = try #require(pool.tryAcquire(.exclusive))
        let second = await attempt(pool, .exclusive, timeout: .seconds(30)).value
        #expect(second?.connection.number == 2)
        #expect(first.connection !== second?.connection)
        let third = await attempt(pool, .exclusive, timeout: .milliseconds(30))
        #expect(third.failure == .timedOut(after: .milliseconds(30)))
        #expect(upstream.openCount == 2, "max is 2")
    }

    @Test func releaseHandsTheConnectionToTheFirstWaiterThatCanTakeIt() async throws {
        let pool = await warmPool(upstream: FakeUpstream())
        let holder = try #require(pool.tryAcquire(.exclusive))
        let exclusiveWaiter = Task { await attempt(pool, .exclusive, timeout: .seconds(30)) }
        #expect(await eventually { pool.statistics.waiting == 1 })
        let sharedWaiters = (0..<2).map { _ in Task { await attempt(pool, .shared, timeout: .seconds(30)) } }
        #expect(await eventually { pool.statistics.waiting == 3 })
        pool.release(holder)
        let exclusive = try #require(await exclusiveWaiter.value.value)
        #expect(pool.statistics.waiting == 2, "the shared waiters cannot share an exclusive lease")
        pool.release(exclusive)
        for waiter in sharedWaiters {
            #expect(await waiter.value.value?.mode == .shared)
        }
        #expect(pool.statistics == PoolStatistics(open: 1, usable: 1, sharedUsers: 2, opened: 1))
    }

    @Test func repeatedReleaseOfAnExclusiveLeaseDoesNothing() async throws {
        let pool = await warmPool(upstream: FakeUpstream())
        let lease = try #require(pool.tryAcquire(.exclusive))
        pool.release(lease)
        let next = try #require(pool.tryAcquire(.exclusive))
        pool.release(lease)
        #expect(pool.statistics.exclusiveLeases == 1, "the stale release must not free the new holder's connection")
        #expect(pool.tryAcquire(.shared) == nil)
        pool.release(next)
        #expect(pool.statistics.exclusiveLeases == 0)
    }
}
