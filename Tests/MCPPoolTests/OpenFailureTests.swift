import MCPPool
import MCPReliability
import Testing

@Suite struct OpenFailureTests {
    @Test func gateRefusalFailsAtOnceWhenNothingIsUsable() async {
        let upstream = FakeUpstream()
        let gate = FakeGate(open: false)
        let pool = makePool(PoolConfiguration(size: 0, max: 2), upstream: upstream, gate: gate)
        let start = ContinuousClock.now
        let result = await attempt(pool, .shared, timeout: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(10), "refused at once, not at the timeout")
        guard case .unavailable(let reason)? = result.failure else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        #expect(reason.contains("circuit breaker"))
        #expect(upstream.openCount == 0)
        #expect(gate.asked == 1)
        #expect(pool.statistics.waiting == 0)
        gate.set(open: true)
        #expect(await attempt(pool, .shared, timeout: .seconds(30)).value != nil)
        #expect(upstream.openCount == 1)
    }

    @Test func gateRefusalWaitsWhenAConnectionWillBeReleased() async throws {
        let upstream = FakeUpstream()
        let gate = FakeGate(open: true)
        let pool = makePool(PoolConfiguration(size: 1, max: 2), upstream: upstream, gate: gate)
        pool.start()
        #expect(await eventually { pool.statistics.open == 1 })
        let holder = try #require(pool.tryAcquire(.exclusive))
        gate.set(open: false)
        let waiter = Task { await attempt(pool, .exclusive, timeout: .seconds(30)) }
        #expect(await eventually { pool.statistics.waiting == 1 })
        pool.release(holder)
        #expect(await waiter.value.value?.connection === holder.connection)
        #expect(upstream.openCount == 1)
    }

    @Test func failedOpenFailsWaitersWhoseDeadlineComesBeforeTheReopen() async {
        let upstream = FakeUpstream()
        upstream.failNext(1)
        let clock = ManualClock()
        let recorder = EventRecorder()
        let pool = makePool(
            PoolConfiguration(size: 0, max: 2, reopenBackoff: RestartBackoff(first: .seconds(100))),
            upstream: upstream, clock: clock, recorder: recorder)
        let start = ContinuousClock.now
        // The deadline (30 s) comes before the reopen (100 s): failing at the deadline would take 30 s.
        let first = await attempt(pool, .shared, timeout: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(10), "fails when the open fails, not at the timeout")
        guard case .unavailable(let reason)? = first.failure else {
            Issue.record("expected unavailable, got \(first)")
            return
        }
        #expect(reason.contains("connection refused"))
        #expect(recorder.events == [.openFailed("connection refused")])
        #expect(pool.statistics.openFailures == 1)

        // Within the backoff (by the pool's clock) nothing is opened: fail fast.
        clock.advance(by: .seconds(50))
        guard case .unavailable(let again)? = await attempt(pool, .exclusive, timeout: .seconds(30)).failure else {
            Issue.record("expected unavailable during the backoff")
            return
        }
        #expect(again.contains("connection refused"))
        #expect(upstream.openCount == 1)

        // After it, an acquire opens again.
        clock.advance(by: .seconds(50))
        #expect(await attempt(pool, .exclusive, timeout: .seconds(30)).value?.connection.number == 2)
        #expect(recorder.events == [.openFailed("connection refused"), .opened])
        await pool.drain(timeout: .zero)
    }

    @Test func waitersKeepWaitingForAReopenBeforeTheirDeadline() async {
        let upstream = FakeUpstream()
        upstream.failNext(1)
        let recorder = EventRecorder()
        let pool = makePool(
            PoolConfiguration(size: 0, max: 1, reopenBackoff: RestartBackoff(first: .milliseconds(20))),
            upstream: upstream, recorder: recorder)
        let lease = await attempt(pool, .exclusive, timeout: .seconds(30)).value
        #expect(lease?.connection.number == 2)
        #expect(upstream.openCount == 2)
        #expect(recorder.events == [.openFailed("connection refused"), .opened])
        #expect(pool.statistics == PoolStatistics(open: 1, usable: 1, exclusiveLeases: 1, opened: 1, openFailures: 1))
    }

    @Test func refusingGateFailsAtOnceEvenDuringABackoffWithAReopenScheduled() async {
        let upstream = FakeUpstream()
        upstream.failNext(1)
        let gate = FakeGate(open: true)
        let pool = makePool(
            PoolConfiguration(size: 0, reopenBackoff: RestartBackoff(first: .seconds(10))),
            upstream: upstream, gate: gate)
        #expect(await attempt(pool, .shared, timeout: .milliseconds(500)).failure != nil)
        gate.set(open: false)
        // A re-open is scheduled 10 s ahead, within this timeout; the gate refuses, so no waiting.
        let start = ContinuousClock.now
        let result = await attempt(pool, .shared, timeout: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(5), "no wait for the re-open 10 s ahead")
        guard case .unavailable(let reason)? = result.failure else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        #expect(reason.contains("circuit breaker"))
        #expect(upstream.openCount == 1)
        await pool.drain(timeout: .zero)
    }

    @Test func gateRefusalsDoNotHoldBackOpensOnceTheGateAllows() async {
        let upstream = FakeUpstream()
        let gate = FakeGate(open: false)
        let pool = makePool(
            PoolConfiguration(size: 1, reopenBackoff: RestartBackoff(first: .seconds(10))),
            upstream: upstream, gate: gate)
        pool.start()
        #expect(gate.asked == 1)
        #expect(upstream.openCount == 0)
        gate.set(open: true)
        let start = ContinuousClock.now
        #expect(await attempt(pool, .shared, timeout: .seconds(60)).value != nil)
        #expect(ContinuousClock.now - start < .seconds(5), "opened at once, not after the 10 s backoff")
        #expect(upstream.openCount == 1)
        await pool.drain(timeout: .zero)
    }

    @Test func warmPoolReopensAfterFailedOpensWithBackoff() async {
        let upstream = FakeUpstream()
        upstream.failNext(2)
        let pool = makePool(
            PoolConfiguration(size: 1, reopenBackoff: RestartBackoff(first: .milliseconds(5))),
            upstream: upstream, clock: SystemReliabilityClock())
        pool.start()
        #expect(await eventually { pool.statistics.usable == 1 })
        #expect(upstream.openCount == 3)
        #expect(pool.statistics.openFailures == 2)
    }

    @Test func refusingGateBacksOffInsteadOfSpinning() async {
        let upstream = FakeUpstream()
        let gate = FakeGate(open: false)
        let pool = makePool(
            PoolConfiguration(size: 1, reopenBackoff: RestartBackoff(first: .milliseconds(10), maximum: .seconds(1))),
            upstream: upstream, clock: SystemReliabilityClock(), gate: gate)
        pool.start()
        // Timers may run late on a loaded machine; what matters is that it asks again, and
        // that the asks thin out (10, 20, 40, 80 ms … apart) instead of spinning.
        #expect(await eventually(within: .seconds(3)) { gate.asked >= 2 }, "it retries")
        let before = gate.asked
        try? await Task.sleep(for: .milliseconds(150))
        #expect(gate.asked - before <= 5, "no more than a handful of asks in 150 ms once backing off")
        #expect(upstream.openCount == 0)
        await pool.drain(timeout: .zero)
        let afterDrain = gate.asked
        try? await Task.sleep(for: .milliseconds(100))
        #expect(gate.asked == afterDrain, "drain cancels the re-open timer")
    }
}
