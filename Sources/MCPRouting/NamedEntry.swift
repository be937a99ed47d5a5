/// One visible item in a name registry: where it comes from and what clients call it.
public struct NamedEntry: Sendable, Equatable {
    /// The upstream that serves the item.
    public var upstream: String
    /// The item's name at the upstream.
    public var original: String
    /// The name clients see.
    public var exposed: String
    /// The item's position in the list that upstream gave (hidden items still count).
    public var index: Int

    /// Creates an entry.
    public init(upstream: String, original: String, exposed: String, index: Int) {
        self.upstream = upstream
        self.original = original
        self.exposed = exposed
        self.index = index
    }
}
