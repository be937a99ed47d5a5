/// A report that two items wanted the same exposed name, and how it was resolved.
public struct NameCollision: Sendable, Equatable, CustomStringConvertible {
    /// The contested exposed name.
    public var exposedName: String
    /// The upstream whose item kept the name.
    public var keptUpstream: String
    /// The original name of the item that kept the name.
    public var keptOriginal: String
    /// The upstream of the item that lost (may equal `keptUpstream` for a duplicate in one list).
    public var otherUpstream: String
    /// The original name of the item that lost.
    public var otherOriginal: String
    /// What happened to the losing item: `"hidden"` or `"renamed to <name>"`.
    public var resolution: String

    /// Creates a collision report.
    public init(
        exposedName: String, keptUpstream: String, keptOriginal: String,
        otherUpstream: String, otherOriginal: String, resolution: String
    ) {
        self.exposedName = exposedName
        self.keptUpstream = keptUpstream
        self.keptOriginal = keptOriginal
        self.otherUpstream = otherUpstream
        self.otherOriginal = otherOriginal
        self.resolution = resolution
    }

    /// A sentence naming both upstreams and both original names, fit for a warning log.
    public var description: String {
        "name collision on \"\(exposedName)\": upstream \"\(keptUpstream)\" item \"\(keptOriginal)\" keeps it; "
            + "upstream \"\(otherUpstream)\" item \"\(otherOriginal)\" is \(resolution)"
    }
}
