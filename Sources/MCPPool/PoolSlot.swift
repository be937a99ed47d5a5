/// One open connection as the pool tracks it: who uses it and since when it has been idle.
struct PoolSlot<Connection: PooledConnection>: Sendable {
    /// The connection.
    let connection: Connection
    /// The pool's number for it (the leases' ``PoolLease/connectionID``).
    let id: UInt64
    /// Shared leases outstanding on it.
    var sharedUsers = 0
    /// The serial of the exclusive lease holding it; 0: none.
    var exclusiveLease: UInt64 = 0
    /// When (clock nanoseconds) it last became free; meaningful only while it is free.
    var idleSince: UInt64

    /// Whether no lease, shared or exclusive, holds it.
    var isFree: Bool { sharedUsers == 0 && exclusiveLease == 0 }
    /// Whether an exclusive lease holds it.
    var isExclusive: Bool { exclusiveLease != 0 }
}
