/// Allow and deny globs deciding which of an upstream's tools, prompts or resources are visible.
///
/// A name is permitted when no deny pattern matches it and, if an allow list is given, at least one
/// allow pattern does. Deny wins over allow. An empty allow list permits nothing; `nil` permits all.
public struct NameFilter: Sendable {
    private let allow: [GlobProgram]?
    private let deny: [GlobProgram]

    /// Compiles the allow and deny globs.
    ///
    /// - Throws: `GlobPatternError` for the first malformed pattern.
    public init(allow: [String]?, deny: [String]) throws(GlobPatternError) {
        if let allow {
            var compiled: [GlobProgram] = []
            for pattern in allow { compiled.append(try GlobPattern(pattern).program) }
            self.allow = compiled
        } else {
            self.allow = nil
        }
        var compiledDeny: [GlobProgram] = []
        for pattern in deny { compiledDeny.append(try GlobPattern(pattern).program) }
        self.deny = compiledDeny
    }

    /// A filter that permits everything.
    public static let permitAll = NameFilter(uncheckedAllow: nil, deny: [])

    private init(uncheckedAllow allow: [GlobProgram]?, deny: [GlobProgram]) {
        self.allow = allow
        self.deny = deny
    }

    /// Whether `name` is visible.
    public func permits(_ name: String) -> Bool {
        UTF8Buffer.with(name) { permits(buffer: $0) }
    }

    /// Whether the UTF-8 name is visible.
    @inlinable
    public func permits<C: Collection>(utf8 name: C) -> Bool where C.Element == UInt8 {
        UTF8Buffer.with(name) { permits(buffer: $0) }
    }

    /// The decision over one contiguous buffer.
    @usableFromInline
    func permits(buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        for program in deny where program.matches(buffer) { return false }
        guard let allow else { return true }
        for program in allow where program.matches(buffer) { return true }
        return false
    }
}
