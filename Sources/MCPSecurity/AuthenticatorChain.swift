/// Several authenticators tried in order; the first that recognises a credential decides.
///
/// Each authenticator answers `.notPresented` for credentials that are not its kind (the JWT
/// authenticator takes bearer tokens shaped like a JWT, the API-key authenticator takes
/// `X-API-Key` and other bearer tokens, the mTLS authenticator takes a verified peer), so the
/// order only matters when several kinds arrive together. When none recognises anything:
/// - a bearer token or API key was presented: refused (`unsupportedCredential`), never anonymous;
/// - nothing was presented and ``required``: refused (`missing`);
/// - nothing was presented and not required: ``Principal/anonymous``.
public struct AuthenticatorChain: Authenticator {
    /// The authenticators, in the order they are asked.
    public let authenticators: [any Authenticator]
    /// Whether a request without credentials is refused.
    public let required: Bool

    /// Creates a chain.
    public init(_ authenticators: [any Authenticator], required: Bool) {
        self.authenticators = authenticators
        self.required = required
    }

    /// The first decisive cached answer in order; nil as soon as an authenticator needs the slow path.
    public func cachedResult(for credentials: Credentials) -> AuthenticationResult? {
        for authenticator in authenticators {
            guard let result = authenticator.cachedResult(for: credentials) else { return nil }
            if case .notPresented = result { continue }
            return result
        }
        return fallback(credentials)
    }

    /// Asks each authenticator in order (cached answer first) until one decides.
    public func authenticate(_ credentials: Credentials) async -> AuthenticationResult {
        for authenticator in authenticators {
            let result = await authenticator.resolve(credentials)
            if case .notPresented = result { continue }
            return result
        }
        return fallback(credentials)
    }

    private func fallback(_ credentials: Credentials) -> AuthenticationResult {
        if credentials.presentsToken { return .failed(AuthenticationFailure(.unsupportedCredential)) }
        if required { return .failed(AuthenticationFailure(.missing)) }
        return .authenticated(.anonymous)
    }
}
