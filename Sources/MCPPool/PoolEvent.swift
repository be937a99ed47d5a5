/// Something that happened to a pool's connections, reported to the owner's `events` closure
/// (for metrics and logs; called outside the pool's lock, possibly from several threads).
public enum PoolEvent: Sendable, Equatable {
    /// A connection was opened.
    case opened
    /// An open failed; the payload describes the error.
    case openFailed(String)
    /// A connection stopped (reported by ``ConnectionPool/connectionLost(_:)`` or found not
    /// usable) and was closed.
    case lost
    /// A connection beyond `size` was closed after its idle timeout.
    case closedIdle
}
