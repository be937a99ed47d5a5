/// Bounds the RESP decoder puts on what a server sends, so that a broken or hostile server
/// cannot make the client allocate without limit or recurse without end.
///
/// A reply that breaks a limit fails with ``RedisError/protocolError(_:)`` and closes the
/// connection (its stream can no longer be trusted); the pool then reconnects. The defaults are
/// far above what the proxy's own commands return.
public struct RESPLimits: Sendable, Hashable {
    /// The largest bulk string, blob error or verbatim string accepted, in bytes (default 16 MiB;
    /// Redis's own maximum is 512 MiB).
    public var maxBulkLength: Int
    /// The most elements one array, set, push or map (counted in pairs) may declare (default 1 Mi).
    public var maxAggregateCount: Int
    /// The deepest nesting of aggregates accepted; the top-level value is depth 1 (default 32).
    public var maxDepth: Int
    /// The longest line of a simple string, simple error, number or header, in bytes (default 64 KiB).
    public var maxLineLength: Int
    /// The most bytes one reply may take on the wire, including everything nested in it; bytes of
    /// an incomplete reply are never buffered beyond this (default 64 MiB).
    public var maxReplyBytes: Int

    /// Makes limits; every argument has a default.
    public init(
        maxBulkLength: Int = 16 << 20,
        maxAggregateCount: Int = 1 << 20,
        maxDepth: Int = 32,
        maxLineLength: Int = 64 << 10,
        maxReplyBytes: Int = 64 << 20
    ) {
        self.maxBulkLength = maxBulkLength
        self.maxAggregateCount = maxAggregateCount
        self.maxDepth = maxDepth
        self.maxLineLength = maxLineLength
        self.maxReplyBytes = maxReplyBytes
    }

    /// The defaults.
    public static let `default` = RESPLimits()
}
