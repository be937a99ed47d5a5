/// A position in one of the proxy's merged lists, carried to the client inside an opaque cursor.
public struct CatalogCursor: Sendable, Equatable {
    /// The catalog generation the page was cut from; a changed catalog can reject stale cursors.
    public var generation: UInt64
    /// The index of the next item to return; never negative in a cursor that decodes.
    public var offset: Int
    /// Which list: `"tools"`, `"prompts"`, `"resources"` or `"resourceTemplates"`.
    public var list: String

    /// Creates a cursor.
    public init(generation: UInt64, offset: Int, list: String) {
        self.generation = generation
        self.offset = offset
        self.list = list
    }
}
