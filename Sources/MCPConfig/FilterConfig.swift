/// Which of an upstream's tools, prompts or resources the proxy exposes.
///
/// Patterns are fnmatch-style globs (`*`, `?`, `[...]`, `[!...]`, `\` escapes) matched against
/// the upstream's original names (or URIs for resources). An item is exposed when it matches
/// `allow` (or `allow` is `nil`) and matches no pattern in `deny`. Matching itself belongs to
/// MCPRouting; the loader only checks the glob syntax.
public struct FilterConfig: Sendable, Equatable {
    /// Globs an item must match to be exposed; `nil` exposes everything not denied.
    public var allow: [String]?
    /// Globs that hide an item even when `allow` matches it.
    public var deny: [String]

    /// Creates a filter.
    public init(allow: [String]? = nil, deny: [String] = []) {
        self.allow = allow
        self.deny = deny
    }

    /// The filter that exposes everything.
    public static let all = FilterConfig()

    /// Whether this filter lets everything through.
    public var exposesEverything: Bool { allow == nil && deny.isEmpty }
}
