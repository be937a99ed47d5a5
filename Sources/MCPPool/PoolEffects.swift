/// What a state change under the pool's lock asks the pool to do once the lock is released:
/// resume waiters, close connections, report events, start opens and timers. Empty (and
/// allocation-free) on the hot path.
struct PoolEffects<Connection: PooledConnection>: Sendable {
    /// A waiter's continuation with its outcome, and the timer to cancel.
    struct Resumption: Sendable {
        let continuation: PoolWaiterContinuation<Connection>
        let result: Result<PoolLease<Connection>, PoolError>
        let timer: Task<Void, Never>?
    }

    /// A re-open timer to start.
    struct Reopen: Sendable {
        /// How long it sleeps.
        let delay: Duration
        /// Which schedule it belongs to (a later schedule makes it stale).
        let generation: UInt64
    }

    /// Waiters to resume.
    var resumptions: [Resumption] = []
    /// Drains whose wait is over, with their timers to cancel.
    var drainResumptions: [PoolDrainWaiter] = []
    /// Connections the pool let go of, to close (exactly once: each leaves the pool once).
    var toClose: [Connection] = []
    /// Events for the owner, in order.
    var events: [PoolEvent] = []
    /// Opens to start (already counted in `opening`).
    var opensToStart = 0
    /// A re-open timer to start.
    var reopen: Reopen?
    /// Timer tasks to cancel.
    var cancelled: [Task<Void, Never>] = []

    /// Whether there is nothing to do.
    var isEmpty: Bool {
        resumptions.isEmpty && drainResumptions.isEmpty && toClose.isEmpty && events.isEmpty
            && opensToStart == 0 && reopen == nil && cancelled.isEmpty
    }
}
