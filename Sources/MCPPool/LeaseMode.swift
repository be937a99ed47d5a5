/// How a lease holds its connection.
public enum LeaseMode: Sendable, Equatable {
    /// Any number of shared leases use one connection at once (requests multiplexed on it).
    case shared
    /// The lease has the connection to itself: no other lease, shared or exclusive, until it
    /// is released.
    case exclusive
}
