/// One open connection as the pool tracks it: who uses it and since when it has been idle.
@usableFromInline
struct PoolSlot<Connection: PooledConnection>: Sendable {
    /// The connection.
    @usableFromInline let connection: Connection
    /// The pool's number for it (the leases' ``PoolLease/connectionID``).
    @usableFromInline let id: UInt64
    /// Shared leases outstanding on it.
    @usableFromInline var sharedUsers = 0
    /// The serial of the exclusive lease holding it; 0: none.
    @usableFromInline var exclusiveLease: UInt64 = 0
    /// When (clock nanoseconds) it last became free; meaningful only while it is free.
    @usableFromInline var idleSince: UInt64

    /// Whether no lease, shared or exclusive, holds it.
    @inlinable var isFree: Bool { sharedUsers == 0 && exclusiveLease == 0 }
    /// Whether an exclusive lease holds it.
    @inlinable var isExclusive: Bool { exclusiveLease != 0 }
}
