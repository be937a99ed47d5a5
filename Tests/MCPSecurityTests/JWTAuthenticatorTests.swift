import JWTKit
import XCTest
@testable import MCPSecurity

final class JWTAuthenticatorTests: XCTestCase {
    private func authenticator(
        _ source: JWTKeySource,
        algorithms: [JWTAlgorithmName]? = nil,
        rolesClaim: String = "roles",
        clock: FakeClock = FakeClock(),
        fetcher: (any JWKSFetcher)? = nil
    ) async throws(JWTConfigurationError) -> JWTAuthenticator {
        try await JWTAuthenticator(
            configuration: .init(keySource: source, issuer: testIssuer, audience: testAudience, algorithms: algorithms, rolesClaim: rolesClaim),
            fetcher: fetcher,
            clock: clock.securityClock
        )
    }

    private func source(for algorithm: JWTAlgorithmName) -> JWTKeySource {
        switch algorithm.keyFamily {
        case .hmac: return .secret(TestKeys.secret)
        case .rsa: return .publicKeyPEM(TestKeys.rsaPublicPEM)
        case .p256: return .publicKeyPEM(TestKeys.p256.publicKey.pemRepresentation)
        case .p384: return .publicKeyPEM(TestKeys.p384.publicKey.pemRepresentation)
        case .ed25519: return .publicKeyPEM(TestKeys.ed25519.publicKey.pemRepresentation)
        }
    }

    private func reason(_ auth: JWTAuthenticator, _ token: String) async -> AuthenticationFailure.Reason? {
        await auth.authenticate(Credentials(bearerToken: token)).failureReason
    }

    func testEveryAlgorithmRoundTrips() async throws {
        for algorithm in JWTAlgorithmName.allCases {
            let auth = try await authenticator(source(for: algorithm), algorithms: [algorithm])
            let token = try mint(
                header: header(algorithm.rawValue),
                payload: claims(extra: #""roles":["reader","admin"],"scope":"mcp.tools mcp.read""#),
                signer: try await testSigner(algorithm)
            )
            let result = await auth.authenticate(Credentials(bearerToken: token))
            let principal = try XCTUnwrap(result.principal, "\(algorithm): \(result)")
            XCTAssertEqual(principal.subject, "alice")
            XCTAssertEqual(principal.issuer, testIssuer)
            XCTAssertEqual(principal.roles, ["admin", "reader"])
            XCTAssertEqual(principal.scopes, ["mcp.read", "mcp.tools"])
            XCTAssertEqual(principal.method, .jwt)
            XCTAssertEqual(principal.expiresAt, testNow + 3600)
        }
    }

    func testDefaultAlgorithmsFollowTheKey() async throws {
        let hmac = try await authenticator(.secret(TestKeys.secret))
        XCTAssertEqual(hmac.allowedAlgorithms, [.hs256])
        let rsa = try await authenticator(.publicKeyPEM(TestKeys.rsaPublicPEM))
        XCTAssertEqual(Set(rsa.allowedAlgorithms), [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512])
        // HS384 is not allowed by default with a secret.
        let token = try mint(header: header("HS384"), payload: claims(), signer: try await testSigner(.hs384))
        let failure = await reason(hmac, token)
        XCTAssertEqual(failure, .disallowedAlgorithm)
    }

    func testJWKSDocumentWithSeveralKeyTypes() async throws {
        let jwks = TestJWK.set(TestJWK.rsa(kid: "r1", alg: nil), TestJWK.p256(kid: "e1"), TestJWK.ed25519(kid: "o1"))
        let auth = try await authenticator(.jwks(Array(jwks.utf8)))
        for (algorithm, kid) in [(JWTAlgorithmName.rs256, "r1"), (.ps384, "r1"), (.es256, "e1"), (.edDSA, "o1")] {
            let token = try mint(header: header(algorithm.rawValue, kid: kid), payload: claims(), signer: try await testSigner(algorithm))
            let result = await auth.authenticate(Credentials(bearerToken: token))
            XCTAssertEqual(result.principal?.subject, "alice", "\(algorithm) \(result)")
        }
        // The EC key declares ES256; an RS256 token naming it is refused.
        let wrong = try mint(header: header("RS256", kid: "e1"), payload: claims(), signer: try await testSigner(.rs256))
        let failure = await reason(auth, wrong)
        XCTAssertEqual(failure, .disallowedAlgorithm)
    }

    // MARK: - Attacks

    func testAlgNoneIsRejected() async throws {
        let auth = try await authenticator(.secret(TestKeys.secret))
        let token = try mint(header: #"{"alg":"none","typ":"JWT"}"#, payload: claims(), signer: nil)
        let failure = await reason(auth, token)
        XCTAssertEqual(failure, .disallowedAlgorithm)
        let capitalised = try mint(header: #"{"alg":"None"}"#, payload: claims(), signer: nil)
        let failure2 = await reason(auth, capitalised)
        XCTAssertEqual(failure2, .disallowedAlgorithm)
    }

    func testHMACSignedWithThePublicKeyPEMIsRejected() async throws {
        let pem = TestKeys.rsaPublicPEM
        let forger = try await hmacSigner(keyBytes: Array(pem.utf8))
        let token = try mint(header: header("HS256"), payload: claims(), signer: forger)
        // Default algorithms of an RSA key, and an explicit RS256 list: both refuse HS256.
        for algorithms in [nil, [JWTAlgorithmName.rs256]] {
            let auth = try await authenticator(.publicKeyPEM(pem), algorithms: algorithms)
            let failure = await reason(auth, token)
            XCTAssertEqual(failure, .disallowedAlgorithm)
        }
        // An RSA key can never be given an HS algorithm.
        do {
            _ = try await authenticator(.publicKeyPEM(pem), algorithms: [.hs256])
            XCTFail("HS256 with an RSA key must not configure")
        } catch {
            guard case .algorithmsDoNotMatchKey = error else { return XCTFail("\(error)") }
        }
        // Nor a JWKS.
        do {
            _ = try await authenticator(.jwks(Array(TestJWK.set(TestJWK.rsa(kid: "r1")).utf8)), algorithms: [.hs256])
            XCTFail("HS256 with a JWKS must not configure")
        } catch {
            guard case .algorithmsDoNotMatchKey = error else { return XCTFail("\(error)") }
        }
    }

    func testTimeClaims() async throws {
        let auth = try await authenticator(.secret(TestKeys.secret))
        let signer = try await testSigner(.hs256)
        let expired = try mint(header: header("HS256"), payload: claims(exp: testNow - 31), signer: signer)
        let expiredResult = await reason(auth, expired)
        XCTAssertEqual(expiredResult, .expired)
        let withinSkew = try mint(header: header("HS256"), payload: claims(exp: testNow - 29), signer: signer)
        let skewResult = await auth.authenticate(Credentials(bearerToken: withinSkew))
        XCTAssertNotNil(skewResult.principal)
        let notYet = try mint(header: header("HS256"), payload: claims(nbf: testNow + 120), signer: signer)
        let notYetResult = await reason(auth, notYet)
        XCTAssertEqual(notYetResult, .notYetValid)
        let futureIat = try mint(header: header("HS256"), payload: claims(iat: testNow + 120), signer: signer)
        let futureResult = await reason(auth, futureIat)
        XCTAssertEqual(futureResult, .issuedInFuture)
        let noExp = try mint(header: header("HS256"), payload: claims(exp: nil), signer: signer)
        let noExpResult = await reason(auth, noExp)
        XCTAssertEqual(noExpResult, .missingClaim)
    }

    func testIssuerAndAudience() async throws {
        let auth = try await authenticator(.secret(TestKeys.secret))
        let signer = try await testSigner(.hs256)
        let wrongAudience = try mint(header: header("HS256"), payload: claims(aud: #""https://other.example.com""#), signer: signer)
        let r1 = await reason(auth, wrongAudience)
        XCTAssertEqual(r1, .wrongAudience)
        let noAudience = try mint(header: header("HS256"), payload: claims(aud: nil), signer: signer)
        let r2 = await reason(auth, noAudience)
        XCTAssertEqual(r2, .wrongAudience)
        let arrayAudience = try mint(header: header("HS256"), payload: claims(aud: "[\"https://x\",\"\(testAudience)\"]"), signer: signer)
        let r3 = await auth.authenticate(Credentials(bearerToken: arrayAudience))
        XCTAssertNotNil(r3.principal)
        let wrongIssuer = try mint(header: header("HS256"), payload: claims(iss: "https://evil.example.com"), signer: signer)
        let r4 = await reason(auth, wrongIssuer)
        XCTAssertEqual(r4, .wrongIssuer)
    }

    func testTamperedMalformedAndOversized() async throws {
        let auth = try await authenticator(.publicKeyPEM(TestKeys.rsaPublicPEM))
        let token = try mint(header: header("RS256"), payload: claims(), signer: try await testSigner(.rs256))
        let parts = token.split(separator: ".").map(String.init)
        let forgedPayload = base64url(Array(claims(sub: "root").utf8))
        let tampered = parts[0] + "." + forgedPayload + "." + parts[2]
        let r1 = await reason(auth, tampered)
        XCTAssertEqual(r1, .badSignature)
        let otherKey = try mint(header: header("RS256"), payload: claims(), signer: try await testSigner(.rs256, rsa: TestKeys.otherRSA))
        let r2 = await reason(auth, otherKey)
        XCTAssertEqual(r2, .badSignature)

        let malformedTokens = [
            parts[0] + "." + parts[1] + ".A",
            base64url(Array("not json".utf8)) + "." + parts[1] + "." + parts[2],
            base64url(Array(#"{"alg":5}"#.utf8)) + "." + parts[1] + "." + parts[2],
            base64url(Array(#"{"alg":"RS256","crit":["exp"]}"#.utf8)) + "." + parts[1] + "." + parts[2],
            "a.b.c",
        ]
        for malformed in malformedTokens {
            let result = await reason(auth, malformed)
            XCTAssertEqual(result, .malformed, malformed)
        }
        let notJSONPayload = try mint(header: header("RS256"), payload: "[1,2]", signer: try await testSigner(.rs256))
        let r4 = await reason(auth, notJSONPayload)
        XCTAssertEqual(r4, .malformed)
        // Not JWT-shaped at all: not for this authenticator (the chain gives it to API keys).
        for notJWT in ["abc.def", parts[0] + "." + parts[1] + ".!!!", "a..c"] {
            let result = await auth.authenticate(Credentials(bearerToken: notJWT))
            XCTAssertEqual(result, .notPresented, notJWT)
        }

        let oversized = parts[0] + "." + String(repeating: "A", count: 9000) + "." + parts[2]
        XCTAssertEqual(auth.cachedResult(for: Credentials(bearerToken: oversized))?.failureReason, .tooLarge)
        let r3 = await reason(auth, oversized)
        XCTAssertEqual(r3, .tooLarge)
    }

    func testUnknownKidInStaticJWKS() async throws {
        let auth = try await authenticator(.jwks(Array(TestJWK.set(TestJWK.rsa(kid: "r1")).utf8)))
        let token = try mint(header: header("RS256", kid: "nope"), payload: claims(), signer: try await testSigner(.rs256))
        let failure = await reason(auth, token)
        XCTAssertEqual(failure, .unknownKey)
    }

    func testJWKSRefetchOnUnknownKidAtMostOncePer30Seconds() async throws {
        let clock = FakeClock()
        let fetcher = CountingFetcher(document: TestJWK.set(TestJWK.rsa(kid: "r1")))
        let auth = try await authenticator(.jwksURL("https://login.example.com/jwks"), clock: clock, fetcher: fetcher)
        XCTAssertEqual(fetcher.count, 0, "fetched lazily")
        let signer = try await testSigner(.rs256)
        let good = try mint(header: header("RS256", kid: "r1"), payload: claims(), signer: signer)
        let first = await auth.authenticate(Credentials(bearerToken: good))
        XCTAssertNotNil(first.principal)
        XCTAssertEqual(fetcher.count, 1)

        let rotatedSigner = try await testSigner(.rs256, rsa: TestKeys.otherRSA)
        let rotated = try mint(header: header("RS256", kid: "r2"), payload: claims(sub: "bob"), signer: rotatedSigner)
        // Unknown kid right after a fetch: no refetch within 30 s.
        for _ in 0..<5 {
            let result = await reason(auth, rotated)
            XCTAssertEqual(result, .unknownKey)
        }
        XCTAssertEqual(fetcher.count, 1)

        // The issuer rotates; 31 s later one unknown kid triggers exactly one refetch.
        fetcher.replace(with: TestJWK.set(TestJWK.rsa(kid: "r1"), TestJWK.rsa(kid: "r2", key: TestKeys.otherRSA)))
        clock.advance(seconds: 31)
        let afterRotation = await auth.authenticate(Credentials(bearerToken: rotated))
        XCTAssertEqual(afterRotation.principal?.subject, "bob")
        XCTAssertEqual(fetcher.count, 2)

        let stillUnknown = try mint(header: header("RS256", kid: "r3"), payload: claims(), signer: signer)
        for _ in 0..<3 {
            let result = await reason(auth, stillUnknown)
            XCTAssertEqual(result, .unknownKey)
        }
        XCTAssertEqual(fetcher.count, 2)
        clock.advance(seconds: 31)
        _ = await reason(auth, stillUnknown)
        XCTAssertEqual(fetcher.count, 3)

        // Concurrent unknown kids share one fetch.
        clock.advance(seconds: 31)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { _ = await auth.authenticate(Credentials(bearerToken: stillUnknown)) } }
        }
        XCTAssertEqual(fetcher.count, 4)
    }

    func testJWKSRefreshedAfterCacheLifetime() async throws {
        let clock = FakeClock()
        let fetcher = CountingFetcher(document: TestJWK.set(TestJWK.rsa(kid: "r1")))
        let auth = try await authenticator(.jwksURL("https://login.example.com/jwks"), clock: clock, fetcher: fetcher)
        await auth.refreshKeys()
        XCTAssertEqual(fetcher.count, 1)
        let signer = try await testSigner(.rs256)
        clock.advance(seconds: 100)
        let token = try mint(header: header("RS256", kid: "r1"), payload: claims(exp: testNow + 7200), signer: signer)
        _ = await auth.authenticate(Credentials(bearerToken: token))
        XCTAssertEqual(fetcher.count, 1, "still fresh")
        clock.advance(seconds: 201)
        let token2 = try mint(header: header("RS256", kid: "r1"), payload: claims(sub: "carol", exp: testNow + 7200), signer: signer)
        let result = await auth.authenticate(Credentials(bearerToken: token2))
        XCTAssertEqual(result.principal?.subject, "carol")
        XCTAssertEqual(fetcher.count, 2, "refreshed after 5 minutes")
    }

    func testJWKSUnavailable() async throws {
        let fetcher = CountingFetcher(document: "{}")
        fetcher.failing = true
        let auth = try await authenticator(.jwksURL("https://login.example.com/jwks"), fetcher: fetcher)
        let token = try mint(header: header("RS256", kid: "r1"), payload: claims(), signer: try await testSigner(.rs256))
        let failure = await reason(auth, token)
        XCTAssertEqual(failure, .keysUnavailable)
    }

    func testVerifiedTokensAreCachedUntilExpiry() async throws {
        let clock = FakeClock()
        let auth = try await authenticator(.publicKeyPEM(TestKeys.rsaPublicPEM), clock: clock)
        let token = try mint(header: header("RS256"), payload: claims(exp: testNow + 60), signer: try await testSigner(.rs256))
        let credentials = Credentials(bearerToken: token)
        XCTAssertNil(auth.cachedResult(for: credentials), "not verified yet")
        let firstResult = await auth.authenticate(credentials)
        let first = try XCTUnwrap(firstResult.principal)
        let cached = try XCTUnwrap(auth.cachedResult(for: credentials)?.principal)
        XCTAssertTrue(first === cached, "the same principal, synchronously")
        XCTAssertEqual(auth.cachedTokenCount, 1)
        clock.advance(seconds: 60 + 31)
        XCTAssertNil(auth.cachedResult(for: credentials))
        let expired = await reason(auth, token)
        XCTAssertEqual(expired, .expired)
    }

    func testTokenCacheIsBounded() async throws {
        let auth = try await JWTAuthenticator(
            configuration: .init(keySource: .secret(TestKeys.secret), issuer: testIssuer, audience: testAudience, cacheCapacity: 16),
            clock: FakeClock().securityClock
        )
        let signer = try await testSigner(.hs256)
        var tokens: [String] = []
        for index in 0..<40 {
            let token = try mint(header: header("HS256"), payload: claims(sub: "user\(index)"), signer: signer)
            tokens.append(token)
            _ = await auth.authenticate(Credentials(bearerToken: token))
        }
        XCTAssertEqual(auth.cachedTokenCount, 16)
        XCTAssertNil(auth.cachedResult(for: Credentials(bearerToken: tokens[0])), "oldest evicted")
        XCTAssertNotNil(auth.cachedResult(for: Credentials(bearerToken: tokens[39])))
    }

    func testRolesClaimPathAndScp() async throws {
        let auth = try await authenticator(.secret(TestKeys.secret), rolesClaim: "realm_access.roles")
        let token = try mint(
            header: header("HS256"),
            payload: claims(extra: #""realm_access":{"roles":["ops"]},"scp":["a","b"],"email":"alice@example.com""#),
            signer: try await testSigner(.hs256)
        )
        let principalResult = await auth.authenticate(Credentials(bearerToken: token))
        let principal = try XCTUnwrap(principalResult.principal)
        XCTAssertEqual(principal.roles, ["ops"])
        XCTAssertEqual(principal.scopes, ["a", "b"])
        XCTAssertEqual(principal.claims["email"], "alice@example.com")

        let single = try await authenticator(.secret(TestKeys.secret), rolesClaim: "role")
        let token2 = try mint(header: header("HS256"), payload: claims(extra: #""role":"admin""#), signer: try await testSigner(.hs256))
        let principal2Result = await single.authenticate(Credentials(bearerToken: token2))
        let principal2 = try XCTUnwrap(principal2Result.principal)
        XCTAssertEqual(principal2.roles, ["admin"])
    }

    func testConfigurationErrors() async throws {
        do {
            _ = try await authenticator(.secret("short"))
            XCTFail("a short secret must not configure")
        } catch {
            XCTAssertEqual(error, .secretTooShort(algorithm: .hs256, minimumBytes: 32))
        }
        do {
            _ = try await authenticator(.secret(TestKeys.secret), algorithms: [.hs256, .rs256])
            XCTFail("mixed families must not configure")
        } catch {
            guard case .algorithmsDoNotMatchKey = error else { return XCTFail("\(error)") }
        }
        do {
            _ = try await authenticator(.publicKeyPEM("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
            XCTFail("garbage PEM must not configure")
        } catch {
            XCTAssertEqual(error, .unreadablePEM)
        }
        do {
            _ = try await authenticator(.jwksURL("https://x"))
            XCTFail("a URL without fetcher must not configure")
        } catch {
            XCTAssertEqual(error, .missingFetcher)
        }
        do {
            _ = try await authenticator(.jwks(Array(#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#.utf8)))
            XCTFail("a JWKS of symmetric keys must not configure")
        } catch {
            guard case .invalidJWKS = error else { return XCTFail("\(error)") }
        }
    }
}
