/// The continuation an acquire waits on: resumed exactly once, with a lease or an error.
@usableFromInline
typealias PoolWaiterContinuation<Connection: PooledConnection> =
    CheckedContinuation<Result<PoolLease<Connection>, PoolError>, Never>

/// An acquire waiting in the pool's FIFO queue.
@usableFromInline
struct PoolWaiter<Connection: PooledConnection>: Sendable {
    /// Its number (for timeout and cancellation).
    let id: UInt64
    /// What it wants.
    let mode: LeaseMode
    /// When (clock nanoseconds) its timeout ends: it waits for a scheduled re-open only if the
    /// re-open comes before this.
    let deadline: UInt64
    /// Where its lease or error goes.
    let continuation: PoolWaiterContinuation<Connection>
    /// The task that times it out; cancelled when it is resumed otherwise.
    var timer: Task<Void, Never>?
}
