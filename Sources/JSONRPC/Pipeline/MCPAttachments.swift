/// Values a pipeline stage keeps with one request from `handle` to `finished` (a tracing span,
/// a timer), keyed by their type. Empty until a stage stores something, and then it costs one
/// small dictionary for that request only.
public struct MCPAttachments: Sendable {
    private var storage: [ObjectIdentifier: any Sendable] = [:]

    /// Nothing attached.
    public init() {}

    /// The value of type `T`, if a stage attached one.
    public subscript<T: Sendable>(_ type: T.Type) -> T? {
        get { storage[ObjectIdentifier(type)] as? T }
        set { storage[ObjectIdentifier(type)] = newValue }
    }

    /// Whether nothing is attached.
    public var isEmpty: Bool { storage.isEmpty }
}

/// A context that carries ``MCPAttachments`` from a stage's `handle` to its `finished`.
public protocol AttachmentContext {
    /// What stages attached to this request.
    var attachments: MCPAttachments { get set }
}
