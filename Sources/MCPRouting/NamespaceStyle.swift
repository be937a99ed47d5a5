/// How an upstream's tool and prompt names are exposed to clients.
public enum NamespaceStyle: Sendable, Equatable {
    /// Prefix every name with a string and a separator, as in `git__status`.
    case prefix(String, separator: String)
    /// Expose names as the upstream gives them (after sanitising).
    case none

    /// The default separator between an upstream's name and an item's name.
    public static let defaultSeparator = "__"

    /// The default style for an upstream: its name followed by `__`.
    public static func upstreamPrefix(_ upstream: String) -> NamespaceStyle {
        .prefix(upstream, separator: defaultSeparator)
    }
}
