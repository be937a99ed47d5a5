import Crypto
import JWTKit

/// One verification key and the algorithms it may verify, each already bound to the key.
struct VerificationKey: Sendable {
    /// The key id, or nil for a key that is not restricted to one (`secret`, a PEM without kid).
    let kid: String?
    /// The allowed algorithms by JWS name; nothing else can ever verify with this key.
    let algorithms: [String: any JWTAlgorithm]
}

/// The keys the authenticator currently trusts.
struct VerificationKeySet: Sendable {
    /// Keys with a `kid`.
    var byKid: [String: VerificationKey] = [:]
    /// Keys without a `kid`: tried for any token whose algorithm they allow.
    var unnamed: [VerificationKey] = []

    /// At most this many keys are tried for a token without a `kid`.
    static let maximumCandidates = 8

    /// The outcome of looking a token's key up.
    enum Lookup {
        /// These algorithm instances may verify the token (at least one).
        case found([any JWTAlgorithm])
        /// The token names a `kid` that is not in the set.
        case unknownKid
        /// Keys exist, but none allows the token's algorithm.
        case algorithmNotAllowed
    }

    var isEmpty: Bool { byKid.isEmpty && unnamed.isEmpty }

    /// The keys that may verify a token with header `kid` and `alg`.
    func lookup(kid: String?, alg: String) -> Lookup {
        if let kid, let key = byKid[kid] {
            if let algorithm = key.algorithms[alg] { return .found([algorithm]) }
            return .algorithmNotAllowed
        }
        var candidates: [any JWTAlgorithm] = []
        for key in unnamed {
            if let algorithm = key.algorithms[alg] { candidates.append(algorithm) }
        }
        if kid == nil {
            for key in byKid.values where candidates.count < Self.maximumCandidates {
                if let algorithm = key.algorithms[alg] { candidates.append(algorithm) }
            }
        }
        if !candidates.isEmpty { return .found(candidates) }
        if kid != nil, unnamed.isEmpty { return .unknownKid }
        return isEmpty ? .unknownKid : .algorithmNotAllowed
    }
}

/// Builds verification keys from the configured material (at startup and on JWKS refresh).
enum VerificationKeyLoader {
    /// Keys for a shared secret: one HMAC key per allowed HS algorithm.
    static func fromSecret(_ secret: String, algorithms: [JWTAlgorithmName]) async throws(JWTConfigurationError) -> VerificationKeySet {
        let secretBytes = secret.utf8.count
        var bound: [String: any JWTAlgorithm] = [:]
        for algorithm in algorithms {
            guard algorithm.keyFamily == .hmac else {
                throw .algorithmsDoNotMatchKey("\(algorithm) cannot be used with a shared secret")
            }
            guard secretBytes >= algorithm.minimumSecretBytes else {
                throw .secretTooShort(algorithm: algorithm, minimumBytes: algorithm.minimumSecretBytes)
            }
            let collection = JWTKeyCollection()
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: digest(for: algorithm))
            bound[algorithm.rawValue] = try await boundKey(collection, kid: nil, algorithm: algorithm)
        }
        guard !bound.isEmpty else { throw .algorithmsDoNotMatchKey("no algorithm is allowed") }
        return VerificationKeySet(byKid: [:], unnamed: [VerificationKey(kid: nil, algorithms: bound)])
    }

    /// The key family of a PEM and the algorithms it allows by default.
    static func family(ofPEM pem: String) throws(JWTConfigurationError) -> JWTAlgorithmName.KeyFamily {
        try parsePEM(pem).family
    }

    /// Keys for one PEM public key: one binding per allowed algorithm of its family.
    static func fromPEM(_ pem: String, kid: String?, algorithms: [JWTAlgorithmName]) async throws(JWTConfigurationError) -> VerificationKeySet {
        let parsed = try parsePEM(pem)
        var bound: [String: any JWTAlgorithm] = [:]
        for algorithm in algorithms {
            guard algorithm.keyFamily == parsed.family else {
                throw .algorithmsDoNotMatchKey("\(algorithm) cannot be used with this \(parsed.family) key")
            }
            let collection = JWTKeyCollection()
            switch parsed.key {
            case .rsa(let key):
                switch algorithm {
                case .rs256, .rs384, .rs512:
                    await collection.add(rsa: key, digestAlgorithm: digest(for: algorithm))
                default:
                    await collection.add(pss: key, digestAlgorithm: digest(for: algorithm))
                }
            case .p256(let key): await collection.add(ecdsa: key)
            case .p384(let key): await collection.add(ecdsa: key)
            case .ed25519(let key): await collection.add(eddsa: key)
            }
            bound[algorithm.rawValue] = try await boundKey(collection, kid: nil, algorithm: algorithm)
        }
        guard !bound.isEmpty else { throw .algorithmsDoNotMatchKey("no algorithm is allowed") }
        let key = VerificationKey(kid: kid, algorithms: bound)
        if let kid { return VerificationKeySet(byKid: [kid: key], unnamed: []) }
        return VerificationKeySet(byKid: [:], unnamed: [key])
    }

    /// Keys from a JWKS document. Keys of unsupported types, for encryption, or whose `alg` is not
    /// allowed are skipped; private members are dropped; `oct` (symmetric) keys are never used.
    static func fromJWKS(_ bytes: [UInt8], algorithms: [JWTAlgorithmName]) async throws(JWTConfigurationError) -> VerificationKeySet {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw .invalidJWKS("not JSON")
        }
        guard let keys = document["keys"]?.arrayValue else { throw .invalidJWKS("no \"keys\" array") }
        var set = VerificationKeySet()
        for case .object(var members) in keys {
            if let use = members["use"]?.stringValue, use != "sig" { continue }
            guard let family = jwkFamily(members) else { continue }
            var candidates = algorithms.filter { $0.keyFamily == family }
            if let declared = members["alg"]?.stringValue {
                candidates = candidates.filter { $0.rawValue == declared }
            }
            if candidates.isEmpty { continue }
            let kid = members["kid"]?.stringValue
            if let kid, set.byKid[kid] != nil { continue }
            for privateMember in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] { members[privateMember] = nil }
            let internalKid = kid ?? "\u{1F}unnamed"
            members["kid"] = .string(internalKid)
            var bound: [String: any JWTAlgorithm] = [:]
            for algorithm in candidates {
                var single = members
                single["alg"] = .string(algorithm.rawValue)
                let json = String(decoding: JSONValue.object(["keys": .array([.object(single)])]).encoded, as: UTF8.self)
                do {
                    let collection = JWTKeyCollection()
                    try await collection.add(jwksJSON: json)
                    bound[algorithm.rawValue] = try await boundKey(collection, kid: internalKid, algorithm: algorithm)
                } catch {
                    continue
                }
            }
            if bound.isEmpty { continue }
            let key = VerificationKey(kid: kid, algorithms: bound)
            if let kid { set.byKid[kid] = key } else { set.unnamed.append(key) }
        }
        guard !set.isEmpty else { throw .invalidJWKS("no usable signing key for the allowed algorithms") }
        return set
    }

    // MARK: - Helpers

    private enum ParsedPEM {
        case rsa(JWTKit.Insecure.RSA.PublicKey)
        case p256(ES256PublicKey)
        case p384(ES384PublicKey)
        case ed25519(EdDSA.PublicKey)
    }

    private static func parsePEM(_ pem: String) throws(JWTConfigurationError) -> (key: ParsedPEM, family: JWTAlgorithmName.KeyFamily) {
        if let key = try? JWTKit.Insecure.RSA.PublicKey(pem: pem) { return (.rsa(key), .rsa) }
        if let key = try? JWTKit.Insecure.RSA.PublicKey(certificatePEM: pem) { return (.rsa(key), .rsa) }
        if let key = try? ES256PublicKey(pem: pem) { return (.p256(key), .p256) }
        if let key = try? ES256PublicKey(certificate: pem) { return (.p256(key), .p256) }
        if let key = try? ES384PublicKey(pem: pem) { return (.p384(key), .p384) }
        if let key = try? ES384PublicKey(certificate: pem) { return (.p384(key), .p384) }
        if let key = try? EdDSA.PublicKey(pem: pem) { return (.ed25519(key), .ed25519) }
        throw .unreadablePEM
    }

    private static func jwkFamily(_ members: [String: JSONValue]) -> JWTAlgorithmName.KeyFamily? {
        switch (members["kty"]?.stringValue, members["crv"]?.stringValue) {
        case ("RSA", _): return .rsa
        case ("EC", "P-256"): return .p256
        case ("EC", "P-384"): return .p384
        case ("OKP", "Ed25519"): return .ed25519
        default: return nil
        }
    }

    private static func digest(for algorithm: JWTAlgorithmName) -> DigestAlgorithm {
        switch algorithm {
        case .hs384, .rs384, .ps384, .es384: return .sha384
        case .hs512, .rs512, .ps512: return .sha512
        default: return .sha256
        }
    }

    /// The collection's key for `kid`, checked to be bound to exactly `algorithm`.
    private static func boundKey(_ collection: JWTKeyCollection, kid: String?, algorithm: JWTAlgorithmName) async throws(JWTConfigurationError) -> any JWTAlgorithm {
        let key: any JWTAlgorithm
        do {
            key = try await collection.getKey(for: kid.map { JWKIdentifier(string: $0) }, alg: algorithm.rawValue)
        } catch {
            throw .invalidJWKS("the key cannot be used with \(algorithm)")
        }
        guard key.name == algorithm.rawValue else {
            throw .algorithmsDoNotMatchKey("the key is bound to \(key.name), not \(algorithm)")
        }
        return key
    }
}
