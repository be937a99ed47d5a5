/// The claims of a verified token that the proxy checks and keeps.
struct JWTClaims {
    /// The checks' parameters, from the authenticator's configuration.
    struct Policy {
        var issuer: String?
        var audience: String?
        /// Other values that satisfy the `aud` check in place of `audience` (virtual endpoints' URIs).
        var alsoAcceptedAudiences: [String] = []
        var clockSkewSeconds: Double
        var rolesClaim: String
        var requireExpiration: Bool
    }

    let subject: String
    let issuer: String?
    let expiresAt: Double?
    let roles: [String]
    let scopes: [String]
    let stringClaims: [String: String]

    /// Parses the payload JSON and checks time, issuer and audience claims at `now`.
    init(payload: [UInt8], policy: Policy, now: Double) throws(AuthenticationFailure) {
        guard let parsed = try? JSONValue(parsing: payload), case .object(let claims) = parsed else {
            throw AuthenticationFailure(.malformed)
        }
        let skew = policy.clockSkewSeconds

        let exp = try Self.number(claims["exp"])
        if let exp {
            if now > exp + skew { throw AuthenticationFailure(.expired) }
        } else if policy.requireExpiration {
            throw AuthenticationFailure(.missingClaim, description: "The token has no expiration")
        }
        if let nbf = try Self.number(claims["nbf"]), now + skew < nbf { throw AuthenticationFailure(.notYetValid) }
        if let iat = try Self.number(claims["iat"]), iat > now + skew { throw AuthenticationFailure(.issuedInFuture) }

        let iss = try Self.string(claims["iss"])
        if let expected = policy.issuer, iss != expected { throw AuthenticationFailure(.wrongIssuer) }

        if let expected = policy.audience {
            switch claims["aud"] {
            case .string(let audience)?:
                guard audience == expected || policy.alsoAcceptedAudiences.contains(audience) else { throw AuthenticationFailure(.wrongAudience) }
            case .array(let audiences)?:
                guard audiences.contains(.string(expected)) || policy.alsoAcceptedAudiences.contains(where: { audiences.contains(.string($0)) })
                else { throw AuthenticationFailure(.wrongAudience) }
            case nil:
                throw AuthenticationFailure(.wrongAudience)
            default:
                throw AuthenticationFailure(.malformed)
            }
        }

        guard let sub = try Self.string(claims["sub"]), !sub.isEmpty else {
            throw AuthenticationFailure(.missingClaim, description: "The token has no subject")
        }

        subject = sub
        issuer = iss
        expiresAt = exp
        roles = try Self.stringList(Self.lookup(policy.rolesClaim, in: claims), splitSpaces: false)
        if let scope = claims["scope"] {
            scopes = try Self.stringList(scope, splitSpaces: true)
        } else {
            scopes = try Self.stringList(claims["scp"], splitSpaces: true)
        }
        var strings: [String: String] = [:]
        for (key, value) in claims {
            if case .string(let text) = value, text.utf8.count <= 256 { strings[key] = text }
        }
        stringClaims = strings
    }

    /// A numeric date claim; a present non-number is malformed.
    private static func number(_ value: JSONValue?) throws(AuthenticationFailure) -> Double? {
        guard let value else { return nil }
        guard let number = value.doubleValue, number.isFinite else { throw AuthenticationFailure(.malformed) }
        return number
    }

    /// A string claim; a present non-string is malformed.
    private static func string(_ value: JSONValue?) throws(AuthenticationFailure) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else { throw AuthenticationFailure(.malformed) }
        return text
    }

    /// A claim by name, or by a dotted path into nested objects (`realm_access.roles`).
    static func lookup(_ name: String, in claims: [String: JSONValue]) -> JSONValue? {
        if let direct = claims[name] { return direct }
        guard name.contains(".") else { return nil }
        var current: JSONValue = .object(claims)
        for component in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard let next = current[String(component)] else { return nil }
            current = next
        }
        return current
    }

    /// A string or array-of-strings claim as a list; a string is split on spaces when asked.
    private static func stringList(_ value: JSONValue?, splitSpaces: Bool) throws(AuthenticationFailure) -> [String] {
        switch value {
        case nil, .null?:
            return []
        case .string(let text)?:
            if splitSpaces { return text.split(separator: " ").map(String.init) }
            return text.isEmpty ? [] : [text]
        case .array(let items)?:
            var list: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw AuthenticationFailure(.malformed) }
                list.append(text)
            }
            return list
        default:
            throw AuthenticationFailure(.malformed)
        }
    }
}
