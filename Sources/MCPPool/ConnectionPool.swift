import MCPReliability
import Synchronization

/// A pool of upstream sessions ("connections") shared by many client sessions.
///
/// Shared leases multiplex any number of users on one connection; an exclusive lease has a
/// connection to itself until it is released. ``tryAcquire(_:)`` and ``release(_:)`` are the hot
/// path: one lock, no allocation, one pass over the (few) connections.
///
/// **Waiting rule.** An acquire that finds no suitable connection starts an open if one is
/// needed (shared: none in flight; exclusive: always) and allowed (below `max`, the backoff
/// over, the gate agreeing), then waits in FIFO order until its own timeout as long as it has
/// something to wait for: a connection in use (it will be released), an open in flight, or a
/// re-open scheduled before its deadline. With nothing to wait for it fails at once with
/// ``PoolError/unavailable(reason:)`` (no waiting on a broken upstream); so does it when no
/// connection is open or opening and the gate refuses, scheduled re-open or not. After a failed
/// open or a lost connection, no open starts for `reopenBackoff.delay(attempt:)` (attempts reset
/// after a successful open); a re-open is scheduled then if the pool is below `size` (once
/// started) or has waiters, and the waiters whose deadline comes before it, with nothing else
/// to wait for, fail at once with `.unavailable` naming the error. The others keep waiting for
/// it. A scheduled re-open the gate refuses is rescheduled with the next backoff delay (so it
/// never spins), without holding back acquires: they ask the gate themselves.
///
/// The `clock` measures idle times, deadlines and backoff decisions; timeouts and the re-open
/// timer sleep in real time (the timer is authoritative: when it fires the backoff is over).
/// Timers and opens in flight hold the pool weakly, and a drain cancels the re-open timer.
public final class ConnectionPool<Connection: PooledConnection>: Sendable {
    /// The state, under one lock.
    @usableFromInline let state: Mutex<PoolState<Connection>>
    /// Opens a connection (already initialized when it returns).
    let open: @Sendable () async throws -> Connection
    /// The owner's event sink.
    let events: (@Sendable (PoolEvent) -> Void)?
    /// Numbers waits (acquires, drains) before they reach the lock, for timeouts and cancellation.
    let waitNumbers = Atomic<UInt64>(0)

    /// The configuration the pool was created with (clamped as ``PoolConfiguration`` documents).
    public let configuration: PoolConfiguration

    /// Creates a pool; it opens nothing until ``start()`` or the first acquire.
    ///
    /// - Parameters:
    ///   - configuration: sizes, limits, idle timeout, backoff.
    ///   - clock: idle times, deadlines and backoff decisions (a `ManualClock` in tests).
    ///   - open: opens one connection; a thrown error is a failed open.
    ///   - gate: asked before each open, and by acquires that find nothing open or opening
    ///     during a backoff; false: do not open now (e.g. a circuit breaker is open). It is
    ///     called under the pool's lock: it must be a cheap read that does not call back into
    ///     the pool.
    ///   - events: told what happens to connections (outside the lock).
    public init(
        configuration: PoolConfiguration,
        clock: any ReliabilityClock = SystemReliabilityClock(),
        open: @escaping @Sendable () async throws -> Connection,
        gate: (@Sendable () -> Bool)? = nil,
        events: (@Sendable (PoolEvent) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.state = Mutex(PoolState(configuration: configuration, clock: clock, gate: gate))
        self.open = open
        self.events = events
    }

    deinit {
        let effects = state.withLock { state in
            var effects = PoolEffects<Connection>()
            state.removeAll(&effects)
            return effects
        }
        perform(effects)
    }

    // MARK: Leasing

    /// Leases an existing usable connection now, or returns nil: never opens, never waits.
    /// Shared: the connection without an exclusive lease with the fewest users; exclusive: one
    /// without users. Nil while draining.
    @inlinable
    public func tryAcquire(_ mode: LeaseMode) -> PoolLease<Connection>? {
        let (lease, effects) = state.withLock { state in
            var effects = PoolEffects<Connection>()
            let lease = state.isDraining ? nil : state.take(mode, &effects)
            state.finish(&effects)
            return (lease, effects)
        }
        if !effects.isEmpty { perform(effects) }
        return lease
    }

    /// Leases a connection, opening one or waiting for one (see the waiting rule above) for at
    /// most `timeout`. Cancelling the task behaves like the timeout.
    ///
    /// - Throws: ``PoolError/timedOut(after:)``, ``PoolError/queueFull(limit:)``,
    ///   ``PoolError/draining``, or ``PoolError/unavailable(reason:)``.
    public func acquire(_ mode: LeaseMode, timeout: Duration) async throws(PoolError) -> PoolLease<Connection> {
        if let lease = tryAcquire(mode) { return lease }
        let id = waitNumbers.wrappingAdd(1, ordering: .relaxed).newValue
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: PoolWaiterContinuation<Connection>) in
                admit(mode, timeout: timeout, id: id, continuation: continuation)
            }
        } onCancel: {
            self.expireWaiter(id, with: .timedOut(after: timeout))
        }
        return try result.get()
    }

    /// Gives a lease back (exactly once per lease); its connection goes to the first waiter
    /// that can take it. Leases of connections the pool has let go of are ignored.
    @inlinable
    public func release(_ lease: PoolLease<Connection>) {
        let effects = state.withLock { state in
            var effects = PoolEffects<Connection>()
            state.release(lease, &effects)
            state.finish(&effects)
            return effects
        }
        if !effects.isEmpty { perform(effects) }
    }

    /// The counts now.
    public var statistics: PoolStatistics {
        state.withLock { $0.statistics }
    }

    /// The usable connections now (for broadcasts and health pings); connections found stopped
    /// are treated as lost.
    public var usableConnections: [Connection] {
        let (connections, effects) = state.withLock { state in
            var effects = PoolEffects<Connection>()
            let connections = state.usableConnections(&effects)
            state.finish(&effects)
            return (connections, effects)
        }
        if !effects.isEmpty { perform(effects) }
        return connections
    }

    // MARK: Waiting

    /// Runs the acquire's admission under the lock, then resumes it or arms its timeout.
    private func admit(
        _ mode: LeaseMode, timeout: Duration, id: UInt64, continuation: PoolWaiterContinuation<Connection>
    ) {
        let (admission, effects) = state.withLock { state in
            var effects = PoolEffects<Connection>()
            // Cancelled before it could queue: the cancellation handler found nothing to expire.
            let admission: PoolState<Connection>.Admission =
                Task.isCancelled
                ? .refused(.timedOut(after: timeout))
                : state.admit(mode, timeout: timeout, id: id, continuation: continuation, &effects)
            state.finish(&effects)
            return (admission, effects)
        }
        perform(effects)
        switch admission {
        case .granted(let lease):
            continuation.resume(returning: .success(lease))
        case .refused(let error):
            continuation.resume(returning: .failure(error))
        case .waiting:
            let timer = Task { [weak self] in
                do { try await Task.sleep(for: timeout) } catch { return }
                self?.expireWaiter(id, with: .timedOut(after: timeout))
            }
            if !state.withLock({ $0.attachTimer(timer, toWaiter: id) }) { timer.cancel() }
        }
    }

    /// Fails a waiter that is still queued (timeout, cancellation).
    private func expireWaiter(_ id: UInt64, with error: PoolError) {
        let effects = state.withLock { state in
            var effects = PoolEffects<Connection>()
            state.expireWaiter(id, with: error, &effects)
            state.finish(&effects)
            return effects
        }
        perform(effects)
    }
}
