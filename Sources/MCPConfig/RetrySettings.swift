/// `mcpServers.<name>.retry`: how often a request that is safe to repeat is tried when its
/// upstream fails. Safe: `ping`, the list methods, `resources/read`, `prompts/get`,
/// `completion/complete`, and `tools/call` of a tool annotated `readOnlyHint` or
/// `idempotentHint`; nothing else is ever retried.
public struct RetrySettings: Sendable, Equatable {
    /// The allowed range of ``attempts``.
    public static let attemptRange = 1...10

    /// `attempts`: how many times a safe request is tried in all, including the first; 1 means no
    /// retry (also written `retry: false`). 1 to 10; default 2.
    public var attempts: Int
    /// `backoffMs`: milliseconds to wait before the first retry, doubled for each further retry
    /// (up to 2 s, or `backoffMs` when that is more). At least 0; default 50.
    public var backoffMs: Double

    /// Creates retry settings; the defaults are those of a server without a `retry` key.
    public init(attempts: Int = 2, backoffMs: Double = 50) {
        self.attempts = attempts
        self.backoffMs = backoffMs
    }

    /// No retry: each request is tried once (`retry: false`, the same as `retry: { attempts: 1 }`).
    public static let off = RetrySettings(attempts: 1)
}
