import MCPReliability

/// Everything a ``ConnectionPool`` knows, guarded by its mutex.
///
/// Every method runs under the lock, never blocks and calls out only to the owner's `gate` and
/// the connections' `isUsable`; whatever must happen outside the lock (resuming waiters,
/// closing connections, events, starting opens and timers) goes into a ``PoolEffects``.
/// Public operations end with ``finish(_:)``, which settles lost connections and wakes drains.
@usableFromInline
struct PoolState<Connection: PooledConnection>: Sendable {
    typealias Lease = PoolLease<Connection>
    typealias Effects = PoolEffects<Connection>

    /// The outcome of an acquire that found no connection right away.
    enum Admission: Sendable {
        /// A connection was free after all.
        case granted(Lease)
        /// It fails now.
        case refused(PoolError)
        /// It joined the wait queue.
        case waiting
    }

    /// Sizes, limits, backoff.
    let configuration: PoolConfiguration
    /// Idle times, deadlines and backoff decisions.
    @usableFromInline let clock: any ReliabilityClock
    /// Asked before each open; false: do not open now.
    let gate: (@Sendable () -> Bool)?

    /// Open connections, oldest first.
    @usableFromInline var slots: [PoolSlot<Connection>] = []
    /// Waiting acquires, first come first.
    @usableFromInline var waiters: [PoolWaiter<Connection>] = []
    /// Drains waiting for the last lease.
    @usableFromInline var drainWaiters: [PoolDrainWaiter] = []
    /// Opens in flight.
    @usableFromInline var opening = 0
    /// Whether `start()` was called: only then is `size` maintained.
    private var started = false
    /// Whether `drain` was called.
    @usableFromInline var draining = false
    /// Setbacks (failed opens, lost connections, refusals of a re-open by the gate) since the
    /// last successful open: the backoff attempt.
    private var setbacks = 0
    /// No open starts before this (clock nanoseconds), except the scheduled re-open itself.
    private var backoffUntil: UInt64 = 0
    /// What went wrong last, for `.unavailable`.
    private var lastSetback: String?
    /// When the scheduled re-open fires (clock nanoseconds); nil: none scheduled.
    var reopenAt: UInt64?
    /// Numbers the schedules, so a stale timer does nothing.
    var reopenGeneration: UInt64 = 0
    /// The scheduled re-open's timer task, cancelled by a drain.
    var reopenTask: Task<Void, Never>?
    /// Connections forgotten as lost whose setback is not registered yet.
    @usableFromInline var unsettledLosses = 0
    /// Numbers connections and leases (0 is never used: it means "no exclusive lease").
    @usableFromInline var lastNumber: UInt64 = 0
    var opened = 0
    var openFailures = 0
    var closed = 0

    /// An empty pool.
    init(configuration: PoolConfiguration, clock: any ReliabilityClock, gate: (@Sendable () -> Bool)?) {
        self.configuration = configuration
        self.clock = clock
        self.gate = gate
        slots.reserveCapacity(configuration.max)
    }

    /// Whether `drain` was called.
    @inlinable var isDraining: Bool { draining }

    @inlinable mutating func number() -> UInt64 {
        lastNumber &+= 1
        return lastNumber
    }

    // MARK: Leasing

    /// Leases an existing usable connection, if one suits `mode`: shared takes the one without
    /// an exclusive lease with the fewest users, exclusive one without users. Connections found
    /// not usable are forgotten as lost. One pass, no allocation unless one is lost.
    @inlinable mutating func take(_ mode: LeaseMode, _ effects: inout PoolEffects<Connection>) -> PoolLease<Connection>? {
        var chosen = -1
        var fewest = Int.max
        var index = 0
        scan: while index < slots.count {
            guard slots[index].connection.isUsable else {
                forget(at: index, &effects)
                continue
            }
            switch mode {
            case .shared:
                if !slots[index].isExclusive && slots[index].sharedUsers < fewest {
                    chosen = index
                    fewest = slots[index].sharedUsers
                    if fewest == 0 { break scan }
                }
            case .exclusive:
                if slots[index].isFree {
                    chosen = index
                    break scan
                }
            }
            index += 1
        }
        guard chosen >= 0 else { return nil }
        let serial = number()
        switch mode {
        case .shared: slots[chosen].sharedUsers += 1
        case .exclusive: slots[chosen].exclusiveLease = serial
        }
        return PoolLease(connection: slots[chosen].connection, mode: mode, connectionID: slots[chosen].id, serial: serial)
    }

    /// Gives a lease back; a connection that becomes free goes to the first waiters that can
    /// take it. Leases of connections no longer in the pool, and repeated releases of an
    /// exclusive lease, do nothing.
    @inlinable mutating func release(_ lease: PoolLease<Connection>, _ effects: inout PoolEffects<Connection>) {
        var index = 0
        while index < slots.count && slots[index].id != lease.connectionID { index += 1 }
        guard index < slots.count else { return }
        switch lease.mode {
        case .shared:
            guard slots[index].sharedUsers > 0 else { return }
            slots[index].sharedUsers -= 1
        case .exclusive:
            guard slots[index].exclusiveLease == lease.serial else { return }
            slots[index].exclusiveLease = 0
        }
        guard slots[index].isFree else { return }
        slots[index].idleSince = clock.nanoseconds()
        if !waiters.isEmpty { serveWaiters(&effects) }
    }

    /// Hands connections to waiters in FIFO order, each to the first waiter that can take it
    /// (a shared waiter behind a blocked exclusive one may go first); stops once neither kind
    /// can be served.
    @usableFromInline mutating func serveWaiters(_ effects: inout PoolEffects<Connection>) {
        var sharedBlocked = false
        var exclusiveBlocked = false
        var index = 0
        while index < waiters.count && !(sharedBlocked && exclusiveBlocked) {
            let mode = waiters[index].mode
            if mode == .shared ? sharedBlocked : exclusiveBlocked {
                index += 1
            } else if let lease = take(mode, &effects) {
                let waiter = waiters.remove(at: index)
                effects.resumptions.append(.init(continuation: waiter.continuation, result: .success(lease), timer: waiter.timer))
            } else {
                if mode == .shared { sharedBlocked = true } else { exclusiveBlocked = true }
                index += 1
            }
        }
    }

    // MARK: Waiting

    /// An acquire that `take` could not serve: refuses it, or starts an open if one is needed
    /// and allowed, and queues it if it has something to wait for within `timeout` (a
    /// connection in use, an open in flight, or a re-open scheduled before its deadline).
    mutating func admit(
        _ mode: LeaseMode, timeout: Duration, id: UInt64,
        continuation: PoolWaiterContinuation<Connection>, _ effects: inout Effects
    ) -> Admission {
        if draining { return .refused(.draining) }
        if let lease = take(mode, &effects) { return .granted(lease) }
        settleLosses(&effects)
        guard waiters.count < configuration.maxWaiters else {
            return .refused(.queueFull(limit: configuration.maxWaiters))
        }
        let now = clock.nanoseconds()
        let deadline = now.addingClamped(timeout.nanosecondsClamped)
        var gateRefused = false
        // Each exclusive acquire needs an open of its own; shared acquires can all ride on one
        // open in flight that no exclusive waiter has claimed.
        if mode == .exclusive || opening <= exclusiveWaiters, slots.count + opening < configuration.max {
            gateRefused = !startOpen(now: now, &effects)
        }
        if gateRefused, slots.isEmpty, opening == 0 {
            return .refused(.unavailable(reason: Self.gateRefusal))
        }
        guard canWait(until: deadline) else {
            return .refused(.unavailable(reason: unavailableReason(now: now)))
        }
        guard timeout > .zero else { return .refused(.timedOut(after: timeout)) }
        waiters.append(PoolWaiter(id: id, mode: mode, deadline: deadline, continuation: continuation))
        return .waiting
    }

    /// Gives a queued waiter its timeout task; false if it is no longer queued.
    mutating func attachTimer(_ timer: Task<Void, Never>, toWaiter id: UInt64) -> Bool {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return false }
        waiters[index].timer = timer
        return true
    }

    /// Takes a waiter out of the queue (timeout, cancellation) and fails it with `error`; does
    /// nothing if it was already resumed.
    mutating func expireWaiter(_ id: UInt64, with error: PoolError, _ effects: inout Effects) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        effects.resumptions.append(.init(continuation: waiter.continuation, result: .failure(error), timer: waiter.timer))
    }

    /// Waiters that want an exclusive lease (each claims an open in flight).
    private var exclusiveWaiters: Int {
        var count = 0
        for waiter in waiters where waiter.mode == .exclusive { count += 1 }
        return count
    }

    /// Whether a waiter with this deadline has something to wait for.
    private func canWait(until deadline: UInt64) -> Bool {
        if !slots.isEmpty || opening > 0 { return true }
        guard let reopenAt else { return false }
        return reopenAt <= deadline
    }

    /// Fails the waiters that have nothing left to wait for with `.unavailable`.
    private mutating func failStrandedWaiters(now: UInt64, _ effects: inout Effects) {
        guard !waiters.isEmpty, slots.isEmpty, opening == 0 else { return }
        let reason = unavailableReason(now: now)
        var index = 0
        while index < waiters.count {
            if canWait(until: waiters[index].deadline) {
                index += 1
            } else {
                let waiter = waiters.remove(at: index)
                effects.resumptions.append(
                    .init(continuation: waiter.continuation, result: .failure(.unavailable(reason: reason)), timer: waiter.timer))
            }
        }
    }

    /// Why nothing can be had now.
    private func unavailableReason(now: UInt64) -> String {
        let next = reopenAt ?? backoffUntil
        if now < next {
            let wait = Duration.nanoseconds(Int64(clamping: next - now))
            return "\(lastSetback ?? "a recent failure"); the next attempt to open an upstream connection is in \(wait), retry after that"
        }
        return lastSetback ?? "no upstream connection is open and none may be opened now; retry later"
    }

    private static var gateRefusal: String {
        "opening an upstream connection was refused (its circuit breaker is open); retry later"
    }

    // MARK: Opening

    /// Starts one open now if the gate and the backoff allow it (counted in `opening`; the
    /// pool launches it); during a backoff, schedules a re-open for its end instead. The gate is
    /// asked before each open, and also during a backoff when no connection is open or opening
    /// (so a refusing gate fails the acquire at once instead of letting it wait for a re-open
    /// the gate would refuse). Returns false if the gate refused.
    private mutating func startOpen(now: UInt64, _ effects: inout Effects) -> Bool {
        let backingOff = now < backoffUntil
        if !backingOff || (slots.isEmpty && opening == 0), let gate, !gate() { return false }
        if backingOff {
            scheduleReopen(at: backoffUntil, now: now, &effects)
            return true
        }
        opening += 1
        effects.opensToStart += 1
        return true
    }

    /// Opens what is missing: up to `size` once started, and for waiters (one per exclusive
    /// waiter plus one for all shared waiters, less the opens in flight), never beyond `max`. A
    /// gate refusal counts as a setback (so re-opens back off instead of spinning) that does not
    /// hold back acquires: they ask the gate themselves.
    private mutating func openWhatIsNeeded(_ effects: inout Effects) {
        let present = slots.count + opening
        let capacity = configuration.max - present
        guard capacity > 0 else { return }
        let warm = started ? configuration.size - present : 0
        let exclusiveWaiters = self.exclusiveWaiters
        let sharedWaiters = waiters.count - exclusiveWaiters
        let demand = exclusiveWaiters + Swift.min(sharedWaiters, 1) - opening
        let wanted = Swift.min(Swift.max(warm, demand, 0), capacity)
        guard wanted > 0 else { return }
        let now = clock.nanoseconds()
        if now < backoffUntil {
            scheduleReopen(at: backoffUntil, now: now, &effects)
            return
        }
        for _ in 0..<wanted {
            if let gate, !gate() {
                registerSetback(Self.gateRefusal, holdsBackOpens: false, &effects)
                return
            }
            opening += 1
            effects.opensToStart += 1
        }
    }

    /// `start()`: opens `size` connections; from now on the pool keeps `size` open. Idempotent.
    mutating func start(_ effects: inout Effects) {
        guard !started, !draining else { return }
        started = true
        openWhatIsNeeded(&effects)
    }

    /// An open completed: the backoff resets; the connection serves waiters, or is closed at
    /// once if the pool is draining.
    mutating func openSucceeded(_ connection: Connection, _ effects: inout Effects) {
        opening -= 1
        setbacks = 0
        backoffUntil = 0
        lastSetback = nil
        if draining {
            closed += 1
            effects.toClose.append(connection)
            return
        }
        opened += 1
        effects.events.append(.opened)
        slots.append(PoolSlot(connection: connection, id: number(), idleSince: clock.nanoseconds()))
        if !waiters.isEmpty { serveWaiters(&effects) }
    }

    /// An open failed: counted, reported, and backed off.
    mutating func openFailed(_ description: String, _ effects: inout Effects) {
        opening -= 1
        openFailures += 1
        effects.events.append(.openFailed(description))
        guard !draining else { return }
        if configuration.failWaitersOnOpenFailure, slots.isEmpty, opening == 0, !waiters.isEmpty {
            lastSetback = "opening an upstream connection failed: \(description)"
            let reason = description
            while !waiters.isEmpty {
                let waiter = waiters.removeFirst()
                effects.resumptions.append(
                    .init(continuation: waiter.continuation, result: .failure(.unavailable(reason: reason)), timer: waiter.timer))
            }
        }
        registerSetback("opening an upstream connection failed: \(description)", holdsBackOpens: true, &effects)
    }

    /// Backs off: a re-open is scheduled after `reopenBackoff.delay(attempt:)` if the pool is
    /// below `size` (once started) or has waiters, and no open starts before it if
    /// `holdsBackOpens` (failed opens and losses; not gate refusals); waiters whose deadline
    /// comes before it, with nothing else to wait for, fail now with `.unavailable`.
    mutating func registerSetback(_ reason: String, holdsBackOpens: Bool, _ effects: inout Effects) {
        let now = clock.nanoseconds()
        setbacks += 1
        let retryAt = now.addingClamped(configuration.reopenBackoff.delay(attempt: setbacks).nanosecondsClamped)
        if holdsBackOpens { backoffUntil = retryAt }
        lastSetback = reason
        let present = slots.count + opening
        if present < configuration.max, (started && present < configuration.size) || !waiters.isEmpty {
            scheduleReopen(at: retryAt, now: now, &effects)
        }
        failStrandedWaiters(now: now, &effects)
    }

    /// Schedules the re-open for `time` unless one comes sooner.
    private mutating func scheduleReopen(at time: UInt64, now: UInt64, _ effects: inout Effects) {
        if let reopenAt, reopenAt <= time { return }
        reopenAt = time
        reopenGeneration &+= 1
        if let reopenTask {
            effects.cancelled.append(reopenTask)
            self.reopenTask = nil
        }
        let delay = time > now ? time - now : 0
        effects.reopen = .init(delay: .nanoseconds(Int64(clamping: delay)), generation: reopenGeneration)
    }

    /// Keeps the timer task of schedule `generation`, to cancel it at drain; false if the
    /// schedule is already over (fired, replaced or drained).
    mutating func adoptReopenTask(_ task: Task<Void, Never>, generation: UInt64) -> Bool {
        guard !draining, reopenAt != nil, generation == reopenGeneration else { return false }
        reopenTask = task
        return true
    }

    /// The re-open timer of schedule `generation` fired: the backoff is over; open what is needed.
    mutating func reopenDue(generation: UInt64, _ effects: inout Effects) {
        guard !draining, reopenAt != nil, generation == reopenGeneration else { return }
        reopenAt = nil
        reopenTask = nil
        backoffUntil = 0
        openWhatIsNeeded(&effects)
    }
}
