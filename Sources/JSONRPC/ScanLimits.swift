/// Limits the scanner enforces before and while validating a frame.
public struct ScanLimits: Sendable, Equatable {
    /// Largest frame accepted, in bytes; checked before any byte is scanned.
    public var maxMessageBytes: Int
    /// Deepest nesting of objects and arrays accepted; the top-level value counts as depth 1.
    public var maxDepth: Int

    /// Creates limits; the defaults are 16 MiB and a nesting depth of 64.
    public init(maxMessageBytes: Int = 16 << 20, maxDepth: Int = 64) {
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
    }

    /// 16 MiB, depth 64.
    public static let `default` = ScanLimits()
}
