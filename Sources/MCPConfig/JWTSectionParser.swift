/// Reads `proxy.auth.jwt` into ``JWTSettings`` and rejects settings that would let a token be
/// verified with the wrong kind of key (algorithm confusion).
enum JWTSectionParser {
    static let keys = ["issuer", "audience", "jwks", "secret", "publicKey", "algorithms",
                       "clockSkewSeconds", "rolesClaim", "jwksCacheSeconds"]
    static let keySourceKeys = ["secret", "jwks", "publicKey"]

    /// The settings, or `nil` when the section is unusable (every problem is reported).
    /// `resource` is `proxy.auth.resource`, the default audience.
    static func parse(_ node: ConfigNode, keyLine: Int?, at path: KeyPath, resource: String?, reader: inout ConfigReader) -> JWTSettings? {
        let line = keyLine ?? node.line
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { issuer, jwks | secret | publicKey, ... }") else { return nil }
        reader.checkKeys(mapping, at: path, known: keys, what: "proxy.auth.jwt")
        let problemsBefore = reader.problems.count

        var issuer: String?
        if let value = reader.optional(mapping, "issuer") {
            issuer = reader.nonEmptyString(value, at: path.key("issuer"), expected: "the issuer (iss) of accepted tokens, e.g. https://login.example.com")
        } else {
            reader.problem(path.key("issuer"), "missing: add issuer: <the iss of accepted tokens>, e.g. issuer: https://login.example.com", line: line)
        }
        var audience = resource
        if let value = reader.optional(mapping, "audience") {
            audience = reader.nonEmptyString(value, at: path.key("audience"), expected: "the audience (aud) tokens must contain")
        }
        let key = readKeySource(mapping, line: line, at: path, reader: &reader)
        var algorithms: [JWTAlgorithm]?
        if let value = reader.optional(mapping, "algorithms") {
            algorithms = readAlgorithms(value, at: path.key("algorithms"), reader: &reader)
        }
        var settings = JWTSettings(issuer: issuer ?? "", audience: audience ?? "", key: key?.source ?? .secret(""))
        if let value = reader.optional(mapping, "clockSkewSeconds"),
           let seconds = reader.seconds(value, at: path.key("clockSkewSeconds"), allowZero: true) {
            settings.clockSkewSeconds = seconds
            if seconds > 300 {
                reader.warning(path.key("clockSkewSeconds"), "\(seconds) seconds of leeway keeps expired tokens valid that long; a minute or less is usual", line: value.line)
            }
        }
        if let value = reader.optional(mapping, "rolesClaim"),
           let claim = reader.nonEmptyString(value, at: path.key("rolesClaim"), expected: "the name of the claim that holds the roles") {
            settings.rolesClaim = claim
        }
        if let value = reader.optional(mapping, "jwksCacheSeconds"),
           let seconds = reader.seconds(value, at: path.key("jwksCacheSeconds"), allowZero: false) {
            settings.jwksCacheSeconds = seconds
            if let source = key?.source, !isJWKSURL(source) {
                reader.warning(path.key("jwksCacheSeconds"), "has no effect: keys are only fetched (and cached) when jwks is a URL", line: value.line)
            }
        }
        guard let key else { return nil }
        let resolved = checkAlgorithms(algorithms, value: mapping.entry("algorithms")?.value, key: key, at: path, reader: &reader)
        guard reader.problems.count == problemsBefore, let resolved else { return nil }
        settings.algorithms = resolved
        return settings
    }

    /// The key source with the node it was written in, or `nil` (reported) when there is not
    /// exactly one usable source.
    private static func readKeySource(_ mapping: ConfigNode.Mapping, line: Int?, at path: KeyPath,
                                      reader: inout ConfigReader) -> (source: JWTKeySource, node: ConfigNode)? {
        let present = mapping.entries.filter { keySourceKeys.contains($0.key) && !$0.value.isNull }
        guard let entry = present.first else {
            reader.problem(path, "needs a key to verify tokens: add one of jwks (a URL or a JWKS file), secret (HS256/384/512) or publicKey (a PEM file)", line: line)
            return nil
        }
        if present.count > 1 {
            let names = present.map(\.key).joined(separator: " and ")
            reader.problem(path.key(present[1].key), "\(names) are mutually exclusive: give exactly one key source (jwks, secret or publicKey)", line: present[1].keyLine)
            return nil
        }
        let here = path.key(entry.key)
        switch entry.key {
        case "secret":
            guard let secret = reader.string(entry.value, at: here, expected: "a shared secret, e.g. \"${JWT_SECRET}\"") else { return nil }
            return (.secret(secret), entry.value)
        case "jwks":
            guard let text = reader.nonEmptyString(entry.value, at: here, expected: "a JWKS URL (https://...) or the path to a JWKS file") else { return nil }
            if text.contains("://") {
                if let message = ConfigReader.secureURLProblem(text, example: "https://login.example.com/jwks.json", allowFragment: true) {
                    reader.problem(here, message + "; or give the path of a JWKS file", line: entry.value.line)
                    return nil
                }
                return (.jwksURL(text), entry.value)
            }
            return (.jwksFile(text), entry.value)
        default:
            guard let text = reader.nonEmptyString(entry.value, at: here, expected: "the path to a PEM public key") else { return nil }
            if text.hasPrefix("-----BEGIN") {
                return (.publicKeyPEM(text), entry.value)
            }
            return (.publicKeyFile(text), entry.value)
        }
    }

    private static func readAlgorithms(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> [JWTAlgorithm]? {
        guard case .list(let items) = node.value else {
            reader.problem(path, "expected a list of algorithms, e.g. [RS256, ES256], found \(node.kindDescription)", line: node.line)
            return nil
        }
        let names = JWTAlgorithm.allCases.map(\.rawValue)
        var result: [JWTAlgorithm] = []
        var valid = true
        for (index, item) in items.enumerated() {
            if case .scalar(let scalar) = item.value, scalar.text.lowercased() == "none" {
                reader.problem(path.index(index), "'none' is never accepted: it would let unsigned tokens through; remove it", line: item.line)
                valid = false
            } else if let name = reader.choice(item, at: path.index(index), allowed: names), let algorithm = JWTAlgorithm(rawValue: name) {
                if !result.contains(algorithm) { result.append(algorithm) }
            } else {
                valid = false
            }
        }
        if valid, items.isEmpty {
            reader.problem(path, "an empty list accepts no token; leave algorithms out to accept the algorithms of the keys", line: node.line)
            return nil
        }
        return valid ? result : nil
    }

    /// The algorithm list to use, after checking it against the key source; `nil` when contradictory.
    private static func checkAlgorithms(_ algorithms: [JWTAlgorithm]?, value: ConfigNode?, key: (source: JWTKeySource, node: ConfigNode),
                                        at path: KeyPath, reader: inout ConfigReader) -> [JWTAlgorithm]? {
        let here = path.key("algorithms")
        let line = value?.line
        if let algorithms {
            let hmac = algorithms.filter(\.isHMAC)
            let asymmetric = algorithms.filter { !$0.isHMAC }
            if !hmac.isEmpty, !asymmetric.isEmpty {
                reader.problem(here, "mixes HMAC (\(list(hmac))) with public-key algorithms (\(list(asymmetric))); one key source cannot verify both, and allowing both invites algorithm confusion. Keep one family", line: line)
                return nil
            }
        }
        switch key.source {
        case .secret(let secret):
            let resolved = algorithms ?? [.hs256]
            if let wrong = resolved.first(where: { !$0.isHMAC }) {
                reader.problem(here, "\(wrong.rawValue) needs a public key, but the key source is a secret (HS256/384/512 only); with a secret, list only HS algorithms (algorithm confusion otherwise)", line: line)
                return nil
            }
            let needed = resolved.map(\.minimumSecretBytes).max() ?? 32
            let length = secret.utf8.count
            if length < needed {
                let names = resolved.filter { $0.minimumSecretBytes == needed }.map(\.rawValue).joined(separator: ", ")
                reader.problem(path.key("secret"), "the secret is \(length) bytes; RFC 7518 §3.2 requires at least the hash size, \(needed) bytes for \(names). Use a random secret, e.g. from openssl rand -base64 \(needed)", line: key.node.line)
                return nil
            }
            return resolved
        case .jwksURL, .jwksFile, .publicKeyFile, .publicKeyPEM:
            let resolved = algorithms ?? []
            if let wrong = resolved.first(where: \.isHMAC) {
                let source = path.key(isJWKS(key.source) ? "jwks" : "publicKey").description
                reader.problem(here, "\(wrong.rawValue) is an HMAC algorithm, but \(source) holds public keys; HMAC with a public key is algorithm confusion. List RS*, PS*, ES* or EdDSA, or use secret for HS*", line: line)
                return nil
            }
            if !isJWKS(key.source) {
                let types = Set(resolved.map(\.keyType))
                if types.count > 1 {
                    reader.problem(here, "publicKey is one key, but these algorithms need different key types (\(types.map(\.rawValue).sorted().joined(separator: ", "))); list only the algorithms of that key, or use jwks for several keys", line: line)
                    return nil
                }
            }
            return resolved
        }
    }

    private static func isJWKSURL(_ source: JWTKeySource) -> Bool {
        if case .jwksURL = source { return true }
        return false
    }

    private static func isJWKS(_ source: JWTKeySource) -> Bool {
        switch source {
        case .jwksURL, .jwksFile: return true
        default: return false
        }
    }

    private static func list(_ algorithms: [JWTAlgorithm]) -> String {
        algorithms.map(\.rawValue).joined(separator: ", ")
    }
}
