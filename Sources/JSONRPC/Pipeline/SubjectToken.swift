/// The bearer token a principal was verified from, kept on the ``Principal`` only when an
/// upstream needs it as the subject of a token exchange (RFC 8693).
///
/// It is never forwarded to an upstream and never printed: ``description`` and
/// ``debugDescription`` are redacted, so a principal or a token that reaches a log, a status
/// page or an error message shows no secret.
public struct SubjectToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token as the client presented it (without the `Bearer` scheme).
    public let value: String

    /// Wraps a verified token.
    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted token>" }
    public var debugDescription: String { "<redacted token>" }
}
