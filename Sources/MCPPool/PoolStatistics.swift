/// A snapshot of a ``ConnectionPool``'s counts, for metrics and status pages.
public struct PoolStatistics: Sendable, Equatable {
    /// Connections open (held by the pool, usable or not yet noticed to be stopped).
    public var open: Int
    /// Open connections that report ``PooledConnection/isUsable``.
    public var usable: Int
    /// Opens in flight.
    public var opening: Int
    /// Connections leased exclusively.
    public var exclusiveLeases: Int
    /// Shared leases outstanding, summed over all connections.
    public var sharedUsers: Int
    /// Acquires waiting for a connection.
    public var waiting: Int
    /// Connections opened successfully since the pool was created.
    public var opened: Int
    /// Opens that failed since the pool was created.
    public var openFailures: Int
    /// Connections the pool closed (lost, idle, drained) since it was created.
    public var closed: Int

    /// Creates a snapshot; every count defaults to 0.
    public init(
        open: Int = 0, usable: Int = 0, opening: Int = 0, exclusiveLeases: Int = 0, sharedUsers: Int = 0,
        waiting: Int = 0, opened: Int = 0, openFailures: Int = 0, closed: Int = 0
    ) {
        self.open = open
        self.usable = usable
        self.opening = opening
        self.exclusiveLeases = exclusiveLeases
        self.sharedUsers = sharedUsers
        self.waiting = waiting
        self.opened = opened
        self.openFailures = openFailures
        self.closed = closed
    }
}
