import MCPReliability
import Testing

@Suite struct CircuitBreakerTests {
    let clock = ManualClock()
    let recorder = TransitionRecorder()

    func breaker(_ policy: CircuitBreakerPolicy = .init(failureThreshold: 3, openDuration: .seconds(10))) -> CircuitBreaker {
        CircuitBreaker(policy: policy, clock: clock, onTransition: recorder.callback)
    }

    @Test func policyDefaultsAndClamping() {
        let policy = CircuitBreakerPolicy()
        #expect(policy.failureThreshold == 5)
        #expect(policy.openDuration == .seconds(10))
        #expect(policy.countErrors == false)
        #expect(policy.halfOpenProbes == 1)
        let clamped = CircuitBreakerPolicy(failureThreshold: 0, openDuration: .seconds(-1), halfOpenProbes: -2)
        #expect(clamped.failureThreshold == 1)
        #expect(clamped.openDuration == .zero)
        #expect(clamped.halfOpenProbes == 1)
        var mutated = CircuitBreakerPolicy()
        mutated.failureThreshold = -7
        #expect(CircuitBreaker(policy: mutated, clock: clock).policy.failureThreshold == 1)
    }

    @Test func stateNames() {
        #expect(CircuitState.closed.name == "closed")
        #expect(CircuitState.open(until: 5).name == "open")
        #expect(CircuitState.halfOpen.name == "half-open")
    }

    @Test func opensAfterConsecutiveFailuresOnly() {
        let breaker = breaker()
        breaker.record(.transportFailure)
        breaker.record(.timeout)
        #expect(breaker.consecutiveFailures == 2)
        breaker.record(.success)
        #expect(breaker.consecutiveFailures == 0)
        breaker.record(.transportFailure)
        breaker.record(.transportFailure)
        #expect(breaker.state == .closed)
        #expect(breaker.admit() == .allowed)
        breaker.record(.timeout)
        let now = clock.nanoseconds()
        #expect(breaker.state == .open(until: now + 10_000_000_000))
        #expect(breaker.isOpen)
        #expect(breaker.consecutiveFailures == 3)
        #expect(breaker.transitionCount == 1)
        #expect(recorder.transitions == ["closed->open"])
    }

    @Test func remoteErrorsCountOnlyWhenConfigured() {
        let lenient = breaker(.init(failureThreshold: 2))
        lenient.record(.transportFailure)
        lenient.record(.remoteError)
        #expect(lenient.consecutiveFailures == 0)
        lenient.record(.remoteError)
        #expect(lenient.state == .closed)

        let strict = breaker(.init(failureThreshold: 2, countErrors: true))
        strict.record(.remoteError)
        strict.record(.remoteError)
        #expect(strict.isOpen)
    }

    @Test func openRejectsWithTheTimeLeft() {
        let breaker = breaker()
        breaker.trip()
        #expect(breaker.admit() == .rejected(retryAfterNanoseconds: 10_000_000_000))
        clock.advance(by: .seconds(4))
        #expect(breaker.admit() == .rejected(retryAfterNanoseconds: 6_000_000_000))
        #expect(breaker.isOpen)
    }

    @Test func dueBreakerReadsOpenButIsNotRejecting() {
        let breaker = breaker()
        breaker.trip()
        let until = clock.nanoseconds() + 10_000_000_000
        clock.advance(by: .seconds(10))
        #expect(breaker.state == .open(until: until))
        #expect(!breaker.isOpen)
    }

    @Test func probeSuccessCloses() {
        let breaker = breaker()
        for _ in 0..<3 { breaker.record(.transportFailure) }
        clock.advance(by: .seconds(10))
        #expect(breaker.admit() == .probe)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.admit() == .rejected(retryAfterNanoseconds: 1_000_000_000))
        breaker.record(.success, probe: true)
        #expect(breaker.state == .closed)
        #expect(breaker.consecutiveFailures == 0)
        #expect(breaker.admit() == .allowed)
        #expect(breaker.transitionCount == 3)
        #expect(recorder.transitions == ["closed->open", "open->half-open", "half-open->closed"])
    }

    @Test func probeRemoteErrorClosesUnlessErrorsCount() {
        let lenient = breaker()
        lenient.trip()
        clock.advance(by: .seconds(10))
        #expect(lenient.admit() == .probe)
        lenient.record(.remoteError, probe: true)
        #expect(lenient.state == .closed)

        let strict = breaker(.init(countErrors: true))
        strict.trip()
        clock.advance(by: .seconds(10))
        #expect(strict.admit() == .probe)
        strict.record(.remoteError, probe: true)
        #expect(strict.isOpen)
    }

    @Test func probeFailureReopensForAnotherPeriod() {
        let breaker = breaker()
        breaker.trip()
        clock.advance(by: .seconds(12))
        #expect(breaker.admit() == .probe)
        clock.advance(by: .seconds(1))
        breaker.record(.timeout, probe: true)
        #expect(breaker.state == .open(until: clock.nanoseconds() + 10_000_000_000))
        #expect(breaker.consecutiveFailures == 1)
        clock.advance(by: .seconds(9))
        #expect(breaker.admit() == .rejected(retryAfterNanoseconds: 1_000_000_000))
        clock.advance(by: .seconds(1))
        #expect(breaker.admit() == .probe)
        #expect(recorder.transitions == ["closed->open", "open->half-open", "half-open->open", "open->half-open"])
    }

    @Test func lostProbeFreesItsSlotAfterOneOpenDuration() {
        let breaker = breaker()
        breaker.trip()
        clock.advance(by: .seconds(10))
        #expect(breaker.admit() == .probe)
        clock.advance(by: .milliseconds(9_500))
        // Rejected for the shorter of a tenth of the open duration and the time until the
        // lost probe's slot is reclaimed.
        #expect(breaker.admit() == .rejected(retryAfterNanoseconds: 500_000_000))
        clock.advance(by: .milliseconds(500))
        #expect(breaker.admit() == .probe)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.admit() == .rejected(retryAfterNanoseconds: 1_000_000_000))
        #expect(breaker.transitionCount == 2)
    }

    @Test func severalProbesWhenConfigured() {
        let breaker = breaker(.init(openDuration: .seconds(10), halfOpenProbes: 3))
        breaker.trip()
        clock.advance(by: .seconds(10))
        #expect(breaker.admit() == .probe)
        clock.advance(by: .seconds(2))
        #expect(breaker.admit() == .probe)
        #expect(breaker.admit() == .probe)
        #expect(breaker.admit() == .rejected(retryAfterNanoseconds: 1_000_000_000))
        // The first probe has now been out for a whole open duration: its slot is reclaimed.
        clock.advance(by: .seconds(8))
        #expect(breaker.admit() == .probe)
        #expect(breaker.admit() == .rejected(retryAfterNanoseconds: 1_000_000_000))
        breaker.record(.success, probe: true)
        #expect(breaker.state == .closed)
    }

    @Test func outcomesOfCallsAdmittedBeforeOpeningAreIgnored() {
        let breaker = breaker()
        breaker.trip()
        breaker.record(.success)
        breaker.record(.success, probe: true)
        #expect(breaker.isOpen)
        clock.advance(by: .seconds(10))
        #expect(breaker.admit() == .probe)
        breaker.record(.success)
        breaker.record(.transportFailure)
        #expect(breaker.state == .halfOpen)
    }

    @Test func tripExtendsWithoutATransitionAndResetCloses() {
        let breaker = breaker()
        breaker.trip()
        clock.advance(by: .seconds(5))
        breaker.trip()
        #expect(breaker.state == .open(until: clock.nanoseconds() + 10_000_000_000))
        #expect(breaker.transitionCount == 1)
        breaker.reset()
        #expect(breaker.state == .closed)
        #expect(breaker.admit() == .allowed)
        breaker.reset()
        #expect(breaker.transitionCount == 2)
        #expect(recorder.transitions == ["closed->open", "open->closed"])
    }

    @Test func resetFromHalfOpenForgetsProbes() {
        let breaker = breaker()
        breaker.trip()
        clock.advance(by: .seconds(10))
        #expect(breaker.admit() == .probe)
        breaker.reset()
        breaker.trip()
        clock.advance(by: .seconds(10))
        #expect(breaker.admit() == .probe)
    }

    @Test func zeroOpenDurationProbesAtOnce() {
        let breaker = breaker(.init(failureThreshold: 1, openDuration: .zero))
        breaker.record(.transportFailure)
        #expect(breaker.admit() == .probe)
        breaker.record(.success, probe: true)
        #expect(breaker.state == .closed)
    }

    @Test func concurrentFailuresOpenItExactlyOnce() async {
        let breaker = breaker(.init(failureThreshold: 5))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    if breaker.admit() == .allowed { breaker.record(.transportFailure) }
                }
            }
        }
        #expect(breaker.isOpen)
        #expect(breaker.transitionCount == 1)
        #expect(recorder.transitions == ["closed->open"])
    }
}
