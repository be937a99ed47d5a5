/// `proxy.guards`: checks on `tools/call` results before they reach the client.
public struct GuardSettings: Sendable, Equatable {
    /// A result larger than this many bytes becomes a JSON-RPC error; nil: no limit.
    public var maxResultBytes: Int?
    /// Replace well-known secrets (private keys, cloud and chat tokens, JWTs, Bearer values)
    /// with `[REDACTED:<kind>]` in text content and in string values of `structuredContent`.
    public var redactSecrets: Bool
    /// More patterns to redact (regular expressions, already checked to compile), kind `custom`.
    public var redactPatterns: [String]

    /// Creates the setting; by default nothing is guarded.
    public init(maxResultBytes: Int? = nil, redactSecrets: Bool = false, redactPatterns: [String] = []) {
        self.maxResultBytes = maxResultBytes
        self.redactSecrets = redactSecrets
        self.redactPatterns = redactPatterns
    }

    /// Whether any guard is on.
    public var isActive: Bool { maxResultBytes != nil || redactSecrets || !redactPatterns.isEmpty }
}
