/// What the connection guards of an HTTP front did since it started (see
/// ``HTTPFrontServer/connectionStatistics``).
public struct HTTPFrontConnectionStatistics: Sendable, Hashable {
    /// Connections open now.
    public var open = 0
    /// The cap on open connections in force: ``HTTPFrontConfiguration/maxConnections``, lowered
    /// when the process's open-files limit would not allow that many.
    public var maxConnections = 0
    /// Connections closed at accept because the total cap was reached.
    public var refusedOverTotal = 0
    /// Connections closed at accept because their remote address had its maximum open.
    public var refusedOverAddress = 0
    /// Connections closed because a request head did not arrive complete within the header timeout.
    public var headerTimeouts = 0
    /// Keep-alive connections closed after waiting the idle timeout for a next request.
    public var idleTimeouts = 0
    /// Times accepting paused because the process ran out of file descriptors (`EMFILE`, `ENFILE`).
    public var acceptBackoffs = 0
    /// Requests refused because a session cap was reached (total or per principal).
    public var refusedSessions = 0

    /// All zero.
    public init() {}
}
