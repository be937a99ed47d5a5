import MCPPool
import MCPReliability
import Testing

@Suite struct WaitQueueTests {
    private func busyPool(maxWaiters: Int = 16) async throws -> (FakePool, FakeLease) {
        let pool = makePool(PoolConfiguration(size: 1, max: 1, maxWaiters: maxWaiters), upstream: FakeUpstream())
        pool.start()
        _ = await eventually { pool.statistics.open == 1 }
        let lease = try #require(pool.tryAcquire(.exclusive))
        return (pool, lease)
    }

    @Test func timedOutWaiterNeverReceivesALease() async throws {
        let (pool, lease) = try await busyPool()
        let start = ContinuousClock.now
        let result = await attempt(pool, .shared, timeout: .milliseconds(30))
        #expect(result.failure == .timedOut(after: .milliseconds(30)))
        #expect(ContinuousClock.now - start >= .milliseconds(30))
        #expect(pool.statistics.waiting == 0)
        pool.release(lease)
        #expect(pool.statistics == PoolStatistics(open: 1, usable: 1, opened: 1))
    }

    @Test func zeroTimeoutFailsAtOnce() async throws {
        let (pool, _) = try await busyPool()
        #expect(await attempt(pool, .exclusive, timeout: .zero).failure == .timedOut(after: .zero))
        #expect(pool.statistics.waiting == 0)
    }

    @Test func queueIsBounded() async throws {
        let (pool, lease) = try await busyPool(maxWaiters: 2)
        let waiters = (0..<2).map { _ in
            Task {
                let result = await attempt(pool, .exclusive, timeout: .seconds(30))
                if let lease = result.value { pool.release(lease) }
                return result
            }
        }
        #expect(await eventually { pool.statistics.waiting == 2 })
        #expect(await attempt(pool, .shared, timeout: .seconds(30)).failure == .queueFull(limit: 2))
        pool.release(lease)
        for waiter in waiters {
            #expect(await waiter.value.value != nil)
        }
        #expect(pool.statistics.exclusiveLeases == 0)
    }

    @Test func cancellationBehavesLikeATimeout() async throws {
        let (pool, lease) = try await busyPool()
        let waiter = Task { await attempt(pool, .exclusive, timeout: .seconds(60)) }
        #expect(await eventually { pool.statistics.waiting == 1 })
        let start = ContinuousClock.now
        waiter.cancel()
        #expect(await waiter.value.failure == .timedOut(after: .seconds(60)))
        #expect(ContinuousClock.now - start < .seconds(10), "cancelled at once, not at the timeout")
        #expect(pool.statistics.waiting == 0)
        pool.release(lease)
        #expect(pool.statistics.exclusiveLeases == 0)
    }

    @Test func alreadyCancelledAcquireDoesNotWait() async throws {
        let (pool, _) = try await busyPool()
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await attempt(pool, .exclusive, timeout: .seconds(5))
        }
        #expect(await waiter.value.failure == .timedOut(after: .seconds(5)))
        #expect(pool.statistics.waiting == 0)
    }

    @Test func stormOfAcquiresTimeoutsAndCancellationsLeaksNothing() async {
        let upstream = FakeUpstream()
        let pool = makePool(PoolConfiguration(size: 1, max: 2, maxWaiters: 64), upstream: upstream)
        pool.start()
        _ = await eventually { pool.statistics.open == 1 }
        let outcomes = await withTaskGroup(of: Result<FakeLease, PoolError>.self) { group in
            for index in 0..<300 {
                group.addTask {
                    let mode: LeaseMode = index % 3 == 0 ? .exclusive : .shared
                    let waiter = Task { await attempt(pool, mode, timeout: .milliseconds(1 + index % 7)) }
                    if index % 11 == 0 { waiter.cancel() }
                    let result = await waiter.value
                    if let lease = result.value {
                        await Task.yield()
                        pool.release(lease)
                    }
                    return result
                }
            }
            var outcomes: [Result<FakeLease, PoolError>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.count == 300)
        #expect(outcomes.contains { $0.value != nil })
        for failure in outcomes.compactMap(\.failure) {
            switch failure {
            case .timedOut, .queueFull: break
            default: Issue.record("unexpected \(failure)")
            }
        }
        let statistics = pool.statistics
        #expect(statistics.sharedUsers == 0)
        #expect(statistics.exclusiveLeases == 0)
        #expect(statistics.waiting == 0)
        #expect(statistics.open <= 2)
        #expect(upstream.openCount <= 2)
    }
}
