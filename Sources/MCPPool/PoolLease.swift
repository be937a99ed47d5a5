/// A connection lent by a ``ConnectionPool``: give it back exactly once with
/// ``ConnectionPool/release(_:)``.
public struct PoolLease<Connection: PooledConnection>: Sendable {
    /// The leased connection.
    public let connection: Connection
    /// Whether the lease shares the connection or has it to itself.
    public let mode: LeaseMode
    /// The pool's number for the connection (its slot), so `release` finds it without comparing
    /// objects.
    @usableFromInline let connectionID: UInt64
    /// This lease's own number: an exclusive lease frees its connection only if it still holds
    /// it, so a stale or repeated release of an exclusive lease does nothing.
    @usableFromInline let serial: UInt64

    @usableFromInline
    init(connection: Connection, mode: LeaseMode, connectionID: UInt64, serial: UInt64) {
        self.connection = connection
        self.mode = mode
        self.connectionID = connectionID
        self.serial = serial
    }
}

extension PoolLease: Equatable {
    /// The same lease: the same connection slot and the same lease number.
    public static func == (lhs: PoolLease, rhs: PoolLease) -> Bool {
        lhs.connectionID == rhs.connectionID && lhs.serial == rhs.serial
    }
}
