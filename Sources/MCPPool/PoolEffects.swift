/// What a state change under the pool's lock asks the pool to do once the lock is released:
/// resume waiters, close connections, report events, start opens and timers. Empty (and
/// allocation-free) on the hot path.
@usableFromInline
struct PoolEffects<Connection: PooledConnection>: Sendable {
    /// A waiter's continuation with its outcome, and the timer to cancel.
    @usableFromInline
    struct Resumption: Sendable {
        let continuation: PoolWaiterContinuation<Connection>
        let result: Result<PoolLease<Connection>, PoolError>
        let timer: Task<Void, Never>?
    }

    /// A re-open timer to start.
    @usableFromInline
    struct Reopen: Sendable {
        /// How long it sleeps.
        let delay: Duration
        /// Which schedule it belongs to (a later schedule makes it stale).
        let generation: UInt64
    }

    /// Waiters to resume.
    @usableFromInline var resumptions: [Resumption] = []
    /// Drains whose wait is over, with their timers to cancel.
    @usableFromInline var drainResumptions: [PoolDrainWaiter] = []
    /// Connections the pool let go of, to close (exactly once: each leaves the pool once).
    @usableFromInline var toClose: [Connection] = []
    /// Events for the owner, in order.
    @usableFromInline var events: [PoolEvent] = []
    /// Opens to start (already counted in `opening`).
    @usableFromInline var opensToStart = 0
    /// A re-open timer to start.
    @usableFromInline var reopen: Reopen?
    /// Timer tasks to cancel.
    @usableFromInline var cancelled: [Task<Void, Never>] = []

    /// Whether there is nothing to do.
    @inlinable var isEmpty: Bool {
        resumptions.isEmpty && drainResumptions.isEmpty && toClose.isEmpty && events.isEmpty
            && opensToStart == 0 && reopen == nil && cancelled.isEmpty
    }

    /// Nothing to do yet.
    @inlinable init() {}
}
