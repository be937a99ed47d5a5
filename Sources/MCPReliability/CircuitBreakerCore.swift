/// The state machine behind ``CircuitBreaker``, without the lock or the clock: every method
/// takes the current time, and every change of state is returned as a ``Transition`` so the
/// owner can report it outside its lock.
///
/// Half-open probe slots are a fixed ring of issue times, allocated once in `init`; a slot is
/// reclaimed when its probe has been out for a whole open duration (a lost probe), so nothing
/// can wedge the breaker half-open. Every method is O(1) (reclaiming is amortized: each issued
/// probe is reclaimed at most once) and allocation-free.
struct CircuitBreakerCore: Sendable {
    /// A change of state: the state before and the state after.
    typealias Transition = (from: CircuitState, to: CircuitState)

    /// The policy, with out-of-range values clamped.
    let policy: CircuitBreakerPolicy
    /// ``CircuitBreakerPolicy/openDuration`` in nanoseconds.
    let openNanoseconds: UInt64

    /// The current state.
    private(set) var state: CircuitState = .closed
    /// Failures counted since the last success (or reset).
    private(set) var consecutiveFailures = 0
    /// How many times the state changed kind (closed, open, half-open).
    private(set) var transitionCount: UInt64 = 0

    /// Issue times of the probes in flight, oldest first, in a ring of
    /// `policy.halfOpenProbes` entries.
    private var probeIssuedAt: ContiguousArray<UInt64>
    /// Index of the oldest outstanding probe in ``probeIssuedAt``.
    private var probeHead = 0
    /// Probes handed out in the current half-open period and neither reported nor reclaimed.
    private(set) var probesOutstanding = 0

    /// Creates a closed breaker's state for `policy`.
    init(policy: CircuitBreakerPolicy) {
        var clamped = policy
        clamped.failureThreshold = max(1, policy.failureThreshold)
        clamped.halfOpenProbes = max(1, policy.halfOpenProbes)
        clamped.openDuration = max(.zero, policy.openDuration)
        self.policy = clamped
        self.openNanoseconds = clamped.openDuration.nanosecondsClamped
        self.probeIssuedAt = ContiguousArray(repeating: 0, count: clamped.halfOpenProbes)
    }

    /// Whether the breaker rejects calls at `now` without considering a probe: open and
    /// not yet due.
    func isOpen(now: UInt64) -> Bool {
        if case .open(let until) = state { return now < until }
        return false
    }

    /// Decides whether one call may proceed at `now`.
    mutating func admit(now: UInt64) -> (BreakerAdmission, Transition?) {
        switch state {
        case .closed:
            return (.allowed, nil)
        case .open(let until):
            if now < until {
                return (.rejected(retryAfterNanoseconds: until - now), nil)
            }
            let transition = move(to: .halfOpen)
            issueProbe(now: now)
            return (.probe, transition)
        case .halfOpen:
            reclaimLostProbes(now: now)
            if probesOutstanding < policy.halfOpenProbes {
                issueProbe(now: now)
                return (.probe, nil)
            }
            // The oldest probe's slot is reclaimed at `issued + openNanoseconds`, which is
            // after `now` (expired slots were just reclaimed); a report may come sooner.
            let reclaimAt = saturatingAdd(probeIssuedAt[probeHead], openNanoseconds)
            let untilReclaim = reclaimAt > now ? reclaimAt - now : 0
            return (.rejected(retryAfterNanoseconds: min(openNanoseconds / 10, untilReclaim)), nil)
        }
    }

    /// Applies the outcome of one call at `now`.
    ///
    /// Closed: a failure counts (opening the breaker at the threshold), a success resets the
    /// count. Half-open: a probe's success closes the breaker and a probe's failure re-opens it;
    /// outcomes of calls admitted before the breaker opened (`probe == false`) are ignored.
    /// Open: ignored, since those calls were admitted before it opened.
    mutating func record(_ signal: BreakerSignal, probe: Bool, now: UInt64) -> Transition? {
        let failed = policy.isFailure(signal)
        switch state {
        case .closed:
            guard failed else {
                consecutiveFailures = 0
                return nil
            }
            consecutiveFailures += 1
            guard consecutiveFailures >= policy.failureThreshold else { return nil }
            return move(to: .open(until: saturatingAdd(now, openNanoseconds)))
        case .open:
            return nil
        case .halfOpen:
            guard probe else { return nil }
            if failed {
                consecutiveFailures += 1
                return move(to: .open(until: saturatingAdd(now, openNanoseconds)))
            }
            consecutiveFailures = 0
            return move(to: .closed)
        }
    }

    /// Opens the breaker at `now` for one open duration. If it is already open, only its
    /// deadline moves (to `now + openDuration`); that is not a transition.
    mutating func trip(now: UInt64) -> Transition? {
        let until = saturatingAdd(now, openNanoseconds)
        if case .open = state {
            state = .open(until: until)
            return nil
        }
        return move(to: .open(until: until))
    }

    /// Closes the breaker and forgets its failures.
    mutating func reset() -> Transition? {
        consecutiveFailures = 0
        return move(to: .closed)
    }

    /// Sets the state, counting and returning the transition when the kind of state changes.
    private mutating func move(to next: CircuitState) -> Transition? {
        let previous = state
        state = next
        if previous == .halfOpen || next == .halfOpen {
            probesOutstanding = 0
            probeHead = 0
        }
        guard previous.name != next.name else { return nil }
        transitionCount &+= 1
        return (previous, next)
    }

    /// Records a probe issued at `now`; the caller checked that a slot is free.
    private mutating func issueProbe(now: UInt64) {
        var index = probeHead + probesOutstanding
        if index >= probeIssuedAt.count { index -= probeIssuedAt.count }
        probeIssuedAt[index] = now
        probesOutstanding += 1
    }

    /// Frees the slots of probes that have been out for a whole open duration.
    private mutating func reclaimLostProbes(now: UInt64) {
        while probesOutstanding > 0, saturatingAdd(probeIssuedAt[probeHead], openNanoseconds) <= now {
            probeHead += 1
            if probeHead == probeIssuedAt.count { probeHead = 0 }
            probesOutstanding -= 1
        }
    }
}

/// `a + b`, or `UInt64.max` when that overflows.
@inline(__always)
func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? .max : sum
}
