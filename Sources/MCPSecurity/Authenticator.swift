/// Turns raw ``Credentials`` into a ``Principal``.
///
/// The transport calls ``cachedResult(for:)`` first, synchronously on its event loop; only when
/// that returns nil does it await ``authenticate(_:)`` (a new token whose signature must be
/// verified, a JWKS that must be fetched). An authenticator that is always fast answers every
/// call from `cachedResult`.
///
/// A user's own authenticator conforms to this protocol and is put into an
/// ``AuthenticatorChain`` beside (or instead of) the built-in ones.
public protocol Authenticator: Sendable {
    /// The answer when it is known without suspending: a cached verification, a cheap check, or
    /// `.notPresented`; nil means "call ``authenticate(_:)``".
    func cachedResult(for credentials: Credentials) -> AuthenticationResult?

    /// The full check; may suspend (fetching keys) and may be slow (signature verification).
    func authenticate(_ credentials: Credentials) async -> AuthenticationResult
}

extension Authenticator {
    /// The cached answer if there is one, else the full check.
    public func resolve(_ credentials: Credentials) async -> AuthenticationResult {
        if let cached = cachedResult(for: credentials) { return cached }
        return await authenticate(credentials)
    }
}
