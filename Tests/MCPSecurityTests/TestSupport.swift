import Crypto
import CryptoExtras
import Foundation
import JSONRPC
import JWTKit
@testable import MCPSecurity

/// Keys generated once per test run.
enum TestKeys {
    static let rsa: JWTKit.Insecure.RSA.PrivateKey = {
        // swift-format-ignore
        try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }()
    static let otherRSA: JWTKit.Insecure.RSA.PrivateKey = {
        try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }()
    static let p256 = ES256PrivateKey()
    static let p384 = ES384PrivateKey()
    static let ed25519: EdDSA.PrivateKey = try! EdDSA.PrivateKey()
    /// 70 bytes: long enough for HS512.
    static let secret = String(repeating: "s3cr3t-", count: 10)

    static var rsaPublicPEM: String { rsa.publicKey.pemRepresentation }
}

/// Base64url without padding.
func base64url<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// A jwt-kit algorithm that signs with the test key for `algorithm`.
func testSigner(_ algorithm: JWTAlgorithmName, rsa: JWTKit.Insecure.RSA.PrivateKey = TestKeys.rsa) async throws -> any JWTAlgorithm {
    let keys = JWTKeyCollection()
    switch algorithm {
    case .hs256: await keys.add(hmac: HMACKey(from: TestKeys.secret), digestAlgorithm: .sha256)
    case .hs384: await keys.add(hmac: HMACKey(from: TestKeys.secret), digestAlgorithm: .sha384)
    case .hs512: await keys.add(hmac: HMACKey(from: TestKeys.secret), digestAlgorithm: .sha512)
    case .rs256: await keys.add(rsa: rsa, digestAlgorithm: .sha256)
    case .rs384: await keys.add(rsa: rsa, digestAlgorithm: .sha384)
    case .rs512: await keys.add(rsa: rsa, digestAlgorithm: .sha512)
    case .ps256: await keys.add(pss: rsa, digestAlgorithm: .sha256)
    case .ps384: await keys.add(pss: rsa, digestAlgorithm: .sha384)
    case .ps512: await keys.add(pss: rsa, digestAlgorithm: .sha512)
    case .es256: await keys.add(ecdsa: TestKeys.p256)
    case .es384: await keys.add(ecdsa: TestKeys.p384)
    case .edDSA: await keys.add(eddsa: TestKeys.ed25519)
    }
    return try await keys.getKey()
}

/// An HMAC signer over arbitrary key bytes (for the algorithm-confusion attack).
func hmacSigner(keyBytes: [UInt8]) async throws -> any JWTAlgorithm {
    let keys = JWTKeyCollection()
    await keys.add(hmac: HMACKey(from: keyBytes), digestAlgorithm: .sha256)
    return try await keys.getKey()
}

/// A compact JWS over exactly these header and payload JSON texts.
func mint(header: String, payload: String, signer: (any JWTAlgorithm)?) throws -> String {
    let input = base64url(Array(header.utf8)) + "." + base64url(Array(payload.utf8))
    guard let signer else { return input + "." }
    let signature = try signer.sign(Array(input.utf8))
    return input + "." + base64url(signature)
}

let testNow: Double = 1_700_000_000
let testIssuer = "https://login.example.com"
let testAudience = "https://mcp.example.com/mcp"

/// A payload JSON with the usual claims; pass overrides as raw JSON members.
func claims(
    sub: String = "alice",
    iss: String? = testIssuer,
    aud: String? = "\"\(testAudience)\"",
    exp: Double? = testNow + 3600,
    nbf: Double? = nil,
    iat: Double? = testNow - 10,
    extra: String = ""
) -> String {
    var members: [String] = ["\"sub\":\"\(sub)\""]
    if let iss { members.append("\"iss\":\"\(iss)\"") }
    if let aud { members.append("\"aud\":\(aud)") }
    if let exp { members.append("\"exp\":\(Int(exp))") }
    if let nbf { members.append("\"nbf\":\(Int(nbf))") }
    if let iat { members.append("\"iat\":\(Int(iat))") }
    if !extra.isEmpty { members.append(extra) }
    return "{" + members.joined(separator: ",") + "}"
}

/// A header JSON.
func header(_ alg: String, kid: String? = nil) -> String {
    if let kid { return "{\"alg\":\"\(alg)\",\"typ\":\"JWT\",\"kid\":\"\(kid)\"}" }
    return "{\"alg\":\"\(alg)\",\"typ\":\"JWT\"}"
}

/// A clock tests move by hand.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var wall: Double
    private var monotonic: UInt64

    init(wall: Double = testNow, monotonic: UInt64 = 1_000_000_000_000) {
        self.wall = wall
        self.monotonic = monotonic
    }

    func advance(seconds: Double) {
        lock.lock()
        wall += seconds
        monotonic += UInt64(seconds * 1_000_000_000)
        lock.unlock()
    }

    var securityClock: SecurityClock {
        SecurityClock(
            wallSeconds: { [self] in lock.lock(); defer { lock.unlock() }; return wall },
            monotonicNanoseconds: { [self] in lock.lock(); defer { lock.unlock() }; return monotonic }
        )
    }
}

/// A JWKS fetcher that counts fetches and serves a document the test can replace.
final class CountingFetcher: JWKSFetcher, @unchecked Sendable {
    private let lock = NSLock()
    private var document: [UInt8]
    private var fetches = 0
    var failing = false

    init(document: String) { self.document = Array(document.utf8) }

    var count: Int { lock.lock(); defer { lock.unlock() }; return fetches }

    func replace(with document: String) {
        lock.lock()
        self.document = Array(document.utf8)
        lock.unlock()
    }

    func fetchJWKS(from url: String) async throws -> [UInt8] {
        let (document, failing): ([UInt8], Bool) = lock.withLock {
            fetches += 1
            return (self.document, self.failing)
        }
        if failing { throw URLError(.cannotConnectToHost) }
        return document
    }
}

/// JWK JSON objects for the test keys.
enum TestJWK {
    static func rsa(kid: String, alg: String? = "RS256", key: JWTKit.Insecure.RSA.PrivateKey = TestKeys.rsa) -> String {
        let primitives = try! key.publicKey.getKeyPrimitives()
        let algMember = alg.map { ",\"alg\":\"\($0)\"" } ?? ""
        return "{\"kty\":\"RSA\",\"kid\":\"\(kid)\",\"use\":\"sig\"\(algMember),\"n\":\"\(base64url(Array(primitives.modulus)))\",\"e\":\"\(base64url(Array(primitives.publicExponent)))\"}"
    }

    static func p256(kid: String) -> String {
        let parameters = TestKeys.p256.publicKey.parameters!
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"\(kid)\",\"alg\":\"ES256\",\"x\":\"\(parameters.x)\",\"y\":\"\(parameters.y)\"}"
    }

    static func ed25519(kid: String) -> String {
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"\(kid)\",\"x\":\"\(base64url(Array(TestKeys.ed25519.publicKey.rawRepresentation)))\"}"
    }

    static func set(_ keys: String...) -> String { "{\"keys\":[" + keys.joined(separator: ",") + "]}" }
}

extension AuthenticationResult {
    var principal: Principal? {
        if case .authenticated(let principal) = self { return principal }
        return nil
    }

    var failureReason: AuthenticationFailure.Reason? {
        if case .failed(let failure) = self { return failure.reason }
        return nil
    }
}
