import Synchronization

/// A circuit breaker for one upstream: after ``CircuitBreakerPolicy/failureThreshold``
/// consecutive failures it rejects calls for ``CircuitBreakerPolicy/openDuration``, then lets
/// a few probe calls through and closes again when one succeeds.
///
/// Use it around each call:
///
/// ```swift
/// let admission = breaker.admit()
/// if case .rejected(let retryAfter) = admission {
///     return unavailable(retryAfterNanoseconds: retryAfter)  // answer the client at once
/// }
/// let signal = await forward(request)                       // .success, .timeout, ...
/// breaker.record(signal, probe: admission == .probe)
/// ```
///
/// States and transitions:
/// - **closed**: every call is ``BreakerAdmission/allowed``. A failure (a transport failure or a
///   timeout; a remote error too when ``CircuitBreakerPolicy/countErrors`` is set) increments
///   ``consecutiveFailures``; a success resets it. At the threshold the breaker opens until
///   now + open duration.
/// - **open**: ``admit()`` rejects with the time left. Outcomes reported now are ignored (those
///   calls were admitted before it opened). ``state`` stays `.open(until:)` after the deadline
///   passes; the next ``admit()`` moves it to half-open and makes that call the first probe.
/// - **half-open**: up to ``CircuitBreakerPolicy/halfOpenProbes`` calls are admitted as
///   ``BreakerAdmission/probe``; others are rejected. The first probe to report back decides:
///   success closes the breaker, failure re-opens it for another open duration. A probe that
///   does not report back within one open duration loses its slot, so a lost probe cannot wedge
///   the breaker. Outcomes of non-probe calls are ignored.
///
/// ``trip()`` opens the breaker at once (e.g. the upstream process could not start);
/// ``reset()`` closes it.
///
/// `onTransition(old, new)` is called once for each change of state kind, after the lock is
/// released, on the thread that caused the change; two changes caused concurrently on
/// different threads may be reported in either order. It must not block.
///
/// ``admit()`` and ``record(_:probe:)`` are O(1), allocation-free and take the lock once
/// (plus one clock read, taken before the lock).
public final class CircuitBreaker: Sendable {
    /// The policy in force, with out-of-range values clamped.
    public let policy: CircuitBreakerPolicy

    private let clock: any ReliabilityClock
    private let onTransition: (@Sendable (CircuitState, CircuitState) -> Void)?
    private let core: Mutex<CircuitBreakerCore>

    /// Creates a closed breaker.
    /// - Parameters:
    ///   - policy: when to open, for how long, and how many probes to allow.
    ///   - clock: the time source; tests pass a ``ManualClock``.
    ///   - onTransition: called with (old, new) after each change of state kind, outside the lock.
    public init(
        policy: CircuitBreakerPolicy = .init(),
        clock: any ReliabilityClock = SystemReliabilityClock(),
        onTransition: (@Sendable (CircuitState, CircuitState) -> Void)? = nil
    ) {
        let core = CircuitBreakerCore(policy: policy)
        self.policy = core.policy
        self.clock = clock
        self.onTransition = onTransition
        self.core = Mutex(core)
    }

    /// Decides whether one call may go to the upstream now. Every ``BreakerAdmission/allowed``
    /// or ``BreakerAdmission/probe`` admission should be followed by one
    /// ``record(_:probe:)`` with `probe` set for probes.
    public func admit() -> BreakerAdmission {
        let now = clock.nanoseconds()
        let (admission, transition) = core.withLock { $0.admit(now: now) }
        if let transition { onTransition?(transition.from, transition.to) }
        return admission
    }

    /// Reports the outcome of a call admitted by ``admit()``.
    /// - Parameters:
    ///   - signal: what happened to the call.
    ///   - probe: `true` when ``admit()`` returned ``BreakerAdmission/probe`` for this call.
    public func record(_ signal: BreakerSignal, probe: Bool = false) {
        let now = clock.nanoseconds()
        let transition = core.withLock { $0.record(signal, probe: probe, now: now) }
        if let transition { onTransition?(transition.from, transition.to) }
    }

    /// Opens the breaker now for one open duration, whatever its state: for failures seen
    /// outside a call, such as an upstream that could not be started. On an open breaker this
    /// only moves the deadline, which is not a transition.
    public func trip() {
        let now = clock.nanoseconds()
        let transition = core.withLock { $0.trip(now: now) }
        if let transition { onTransition?(transition.from, transition.to) }
    }

    /// Closes the breaker and clears its failure count (e.g. after an operator intervened, or
    /// the upstream was replaced).
    public func reset() {
        let transition = core.withLock { $0.reset() }
        if let transition { onTransition?(transition.from, transition.to) }
    }

    /// The current state. An open breaker whose deadline has passed still reads
    /// `.open(until:)` until the next ``admit()``; see ``isOpen``.
    public var state: CircuitState { core.withLock { $0.state } }

    /// Whether calls are being rejected outright: open and not yet due for a probe.
    /// `false` when closed, half-open, or open with its deadline passed.
    public var isOpen: Bool {
        let now = clock.nanoseconds()
        return core.withLock { $0.isOpen(now: now) }
    }

    /// How many times the state changed kind (closed, open, half-open) since creation.
    public var transitionCount: UInt64 { core.withLock { $0.transitionCount } }

    /// Failures counted since the last success or reset. Kept while open (it shows what
    /// opened the breaker) and incremented by a failed probe; zeroed when the breaker closes.
    public var consecutiveFailures: Int { core.withLock { $0.consecutiveFailures } }
}
