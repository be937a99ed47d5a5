/// What an ``Authenticator`` concluded about one set of ``Credentials``.
public enum AuthenticationResult: Sendable, Equatable {
    /// The credentials were verified and name this principal.
    case authenticated(Principal)
    /// No credential of the kind this authenticator handles was presented.
    case notPresented
    /// A credential was presented and rejected.
    case failed(AuthenticationFailure)
}

/// Why a presented credential was rejected.
///
/// ``description`` is short and safe to send to the client (as a bearer challenge's
/// `error_description`): it never contains the token, the key or claim values.
public struct AuthenticationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The machine-readable reason (also a label for counters and logs).
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// Authentication is required and no credential was presented.
        case missing
        /// The token is not a well-formed JWT (parts, base64url, JSON, claim types).
        case malformed
        /// The token is larger than the configured limit; it was not parsed.
        case tooLarge
        /// The header's `alg` is not in the allowlist for the key (includes `none`).
        case disallowedAlgorithm
        /// No configured or fetched key matches the header's `kid`.
        case unknownKey
        /// The signature does not verify.
        case badSignature
        /// `exp` is in the past (beyond the clock skew).
        case expired
        /// `nbf` is in the future (beyond the clock skew).
        case notYetValid
        /// `iat` is in the future (beyond the clock skew).
        case issuedInFuture
        /// `iss` is not the configured issuer.
        case wrongIssuer
        /// `aud` does not contain the configured audience.
        case wrongAudience
        /// A claim the proxy needs (`sub`, `exp`) is absent.
        case missingClaim
        /// The API key is not one of the configured keys.
        case unknownAPIKey
        /// The client certificate's subject is not authorized.
        case unknownPeer
        /// A credential was presented that no configured authenticator accepts.
        case unsupportedCredential
        /// The signing keys (JWKS) could not be loaded.
        case keysUnavailable
    }

    /// The reason.
    public let reason: Reason
    /// A short human-readable description, safe for `error_description`.
    public let description: String

    /// Creates a failure with the reason's standard description.
    public init(_ reason: Reason) {
        self.reason = reason
        self.description = Self.standardDescription(reason)
    }

    /// Creates a failure with a custom description (keep it short; never include secrets).
    public init(_ reason: Reason, description: String) {
        self.reason = reason
        self.description = description
    }

    /// Whether this failure means a token was presented (answered with `error="invalid_token"`).
    public var tokenWasPresented: Bool { reason != .missing }

    /// The standard description for each reason.
    public static func standardDescription(_ reason: Reason) -> String {
        switch reason {
        case .missing: return "Authentication required"
        case .malformed: return "The token is malformed"
        case .tooLarge: return "The token is too large"
        case .disallowedAlgorithm: return "The token's signing algorithm is not accepted"
        case .unknownKey: return "The token's signing key is unknown"
        case .badSignature: return "The token's signature is invalid"
        case .expired: return "The token has expired"
        case .notYetValid: return "The token is not yet valid"
        case .issuedInFuture: return "The token's issue time is in the future"
        case .wrongIssuer: return "The token's issuer is not accepted"
        case .wrongAudience: return "The token was not issued for this resource"
        case .missingClaim: return "The token lacks a required claim"
        case .unknownAPIKey: return "The API key is not recognized"
        case .unknownPeer: return "The client certificate is not authorized"
        case .unsupportedCredential: return "The credential is not accepted by this server"
        case .keysUnavailable: return "The token's signing keys are unavailable"
        }
    }
}
