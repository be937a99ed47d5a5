import MCPReliability

/// How many connections a ``ConnectionPool`` keeps and opens, how long requests may queue, and
/// how it recovers from failed opens and lost connections.
public struct PoolConfiguration: Sendable, Equatable {
    /// Connections opened by ``ConnectionPool/start()`` and kept open (re-opened after a loss
    /// once started); 0: open on demand only.
    public var size: Int
    /// The most connections open (or opening) at once; shared and exclusive leases may open
    /// connections beyond `size` up to this cap. At least `max(size, 1)`.
    public var max: Int
    /// The most acquires waiting at once; more fail with ``PoolError/queueFull(limit:)``.
    public var maxWaiters: Int
    /// Connections beyond `size` that had no user this long are closed by
    /// ``ConnectionPool/evictIdle()``; nil: never.
    public var idleTimeout: Duration?
    /// The delay before re-opening after a failed open, a lost connection or a refusal by the
    /// gate; the attempt count resets after a successful open.
    public var reopenBackoff: RestartBackoff
    /// When an open fails and nothing else is open or opening, fail the waiting acquires at
    /// once instead of keeping them for the next re-open (for pools that open on demand, where
    /// the caller should learn of the failure now); default false.
    public var failWaitersOnOpenFailure: Bool

    /// Creates a configuration. Out-of-range values are clamped: `size` and `maxWaiters` to at
    /// least 0, `max` (default `max(size, 1)`) to at least `max(size, 1)`.
    public init(
        size: Int = 1,
        max: Int? = nil,
        maxWaiters: Int = 1024,
        idleTimeout: Duration? = .seconds(300),
        reopenBackoff: RestartBackoff = RestartBackoff(),
        failWaitersOnOpenFailure: Bool = false
    ) {
        let size = Swift.max(size, 0)
        self.size = size
        self.max = Swift.max(max ?? size, size, 1)
        self.maxWaiters = Swift.max(maxWaiters, 0)
        self.idleTimeout = idleTimeout
        self.reopenBackoff = reopenBackoff
        self.failWaitersOnOpenFailure = failWaitersOnOpenFailure
    }
}
