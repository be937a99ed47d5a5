/// A ``ConnectionPool/drain(timeout:)`` waiting for the last lease to be released.
@usableFromInline
struct PoolDrainWaiter: Sendable {
    /// Its number (for its timeout).
    let id: UInt64
    /// Resumed once the pool is quiet, or at the timeout.
    let continuation: CheckedContinuation<Void, Never>
    /// The task that ends the wait at the timeout.
    var timer: Task<Void, Never>?
}
