import Crypto
import XCTest
@testable import MCPSecurity

final class AuthenticationTests: XCTestCase {
    func testBearerTokenExtraction() {
        XCTAssertEqual(Credentials.bearerToken(fromAuthorization: "Bearer abc.def"), "abc.def")
        XCTAssertEqual(Credentials.bearerToken(fromAuthorization: "bearer   tok  "), "tok")
        XCTAssertEqual(Credentials.bearerToken(fromAuthorization: "BEARER tok"), "tok")
        XCTAssertNil(Credentials.bearerToken(fromAuthorization: "Basic dXNlcjpwYXNz"))
        XCTAssertNil(Credentials.bearerToken(fromAuthorization: "Bearer"))
        XCTAssertNil(Credentials.bearerToken(fromAuthorization: "Bearer "))
        XCTAssertNil(Credentials.bearerToken(fromAuthorization: "Bearertok"))
        XCTAssertNil(Credentials.bearerToken(fromAuthorization: "Bearer a b"))
        let credentials = Credentials(authorization: "Bearer t", apiKeyHeader: "  ", remoteAddress: "10.0.0.1")
        XCTAssertEqual(credentials.bearerToken, "t")
        XCTAssertNil(credentials.apiKey)
    }

    func testFailureDescriptionsNeverEchoTheToken() {
        for reason in AuthenticationFailure.Reason.allCases {
            let failure = AuthenticationFailure(reason)
            XCTAssertFalse(failure.description.isEmpty)
            XCTAssertLessThan(failure.description.count, 80)
        }
    }

    // MARK: - API keys

    private func digestHex(_ key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func testAPIKeysPlainAndSHA256() throws {
        let auth = try APIKeyAuthenticator(keys: [
            .init(name: "ci-bot", secret: .plain("key-one"), roles: ["ci"]),
            .init(name: "ops", secret: .sha256Hex(digestHex("key-two").uppercased()), roles: ["ops"]),
        ])
        let one = auth.cachedResult(for: Credentials(apiKey: "key-one"))?.principal
        XCTAssertEqual(one?.subject, "ci-bot")
        XCTAssertEqual(one?.roles, ["ci"])
        XCTAssertEqual(one?.method, .apiKey)
        XCTAssertEqual(auth.cachedResult(for: Credentials(bearerToken: "key-two"))?.principal?.subject, "ops")
        XCTAssertTrue(auth.cachedResult(for: Credentials(apiKey: "key-one"))?.principal === one, "one principal per key")
        XCTAssertEqual(auth.cachedResult(for: Credentials(apiKey: "key-three"))?.failureReason, .unknownAPIKey)
        XCTAssertEqual(auth.cachedResult(for: Credentials(apiKey: "key-on"))?.failureReason, .unknownAPIKey)
        XCTAssertEqual(auth.cachedResult(for: Credentials()), .notPresented)
        // A JWT-shaped bearer token is left to the JWT authenticator.
        XCTAssertEqual(auth.cachedResult(for: Credentials(bearerToken: "aaa.bbb.ccc")), .notPresented)
    }

    func testAPIKeyMatchComparesEveryDigest() throws {
        // The match walks all keys with a branch-free select; the last and first keys are found alike.
        var keys: [APIKeyAuthenticator.Key] = []
        for index in 0..<50 { keys.append(.init(name: "k\(index)", secret: .plain("secret-\(index)"))) }
        let auth = try APIKeyAuthenticator(keys: keys)
        XCTAssertEqual(auth.match("secret-0"), 0)
        XCTAssertEqual(auth.match("secret-49"), 49)
        XCTAssertNil(auth.match("secret-50"))
        let a = Digest256(hashing: "x")
        var b = a
        XCTAssertTrue(a.constantTimeEquals(b))
        b.w3 ^= 1
        XCTAssertFalse(a.constantTimeEquals(b))
    }

    func testAPIKeyConfigurationErrors() {
        XCTAssertThrowsError(try APIKeyAuthenticator(keys: [.init(name: "a", secret: .sha256Hex("abc"))]))
        XCTAssertThrowsError(try APIKeyAuthenticator(keys: [.init(name: "a", secret: .plain(""))]))
        XCTAssertThrowsError(try APIKeyAuthenticator(keys: [
            .init(name: "a", secret: .plain("k")), .init(name: "b", secret: .sha256Hex(digestHex("k"))),
        ]))
    }

    // MARK: - mTLS

    func testMutualTLS() {
        let auth = MutualTLSAuthenticator(rolesBySubject: ["CN=ci": ["ci"]], defaultRoles: ["guest"])
        XCTAssertEqual(auth.cachedResult(for: Credentials(peerSubject: "CN=ci"))?.principal?.roles, ["ci"])
        let other = auth.cachedResult(for: Credentials(peerSubject: "CN=x"))?.principal
        XCTAssertEqual(other?.roles, ["guest"])
        XCTAssertEqual(other?.method, .mutualTLS)
        XCTAssertTrue(auth.cachedResult(for: Credentials(peerSubject: "CN=x"))?.principal === other)
        XCTAssertEqual(auth.cachedResult(for: Credentials()), .notPresented)
        let strict = MutualTLSAuthenticator(rolesBySubject: ["CN=ci": ["ci"]], onlyListedSubjects: true)
        XCTAssertEqual(strict.cachedResult(for: Credentials(peerSubject: "CN=x"))?.failureReason, .unknownPeer)
    }

    // MARK: - Chain

    func testChainRoutesByCredentialShape() async throws {
        let jwt = try await JWTAuthenticator(
            configuration: .init(keySource: .secret(TestKeys.secret), issuer: testIssuer, audience: testAudience),
            clock: FakeClock().securityClock
        )
        let keys = try APIKeyAuthenticator(keys: [.init(name: "ci-bot", secret: .plain("plain-key"), roles: ["ci"])])
        let chain = AuthenticatorChain([jwt, keys, MutualTLSAuthenticator()], required: true)

        let token = try mint(header: header("HS256"), payload: claims(), signer: try await testSigner(.hs256))
        XCTAssertNil(chain.cachedResult(for: Credentials(bearerToken: token)), "needs verification first")
        let verified = await chain.authenticate(Credentials(bearerToken: token))
        XCTAssertEqual(verified.principal?.subject, "alice")
        XCTAssertEqual(chain.cachedResult(for: Credentials(bearerToken: token))?.principal?.subject, "alice")

        XCTAssertEqual(chain.cachedResult(for: Credentials(bearerToken: "plain-key"))?.principal?.subject, "ci-bot")
        XCTAssertEqual(chain.cachedResult(for: Credentials(bearerToken: "wrong-key"))?.failureReason, .unknownAPIKey)
        XCTAssertEqual(chain.cachedResult(for: Credentials(peerSubject: "CN=peer"))?.principal?.subject, "CN=peer")
        XCTAssertEqual(chain.cachedResult(for: Credentials())?.failureReason, .missing)

        let bad = try mint(header: header("HS256"), payload: claims(exp: testNow - 3600), signer: try await testSigner(.hs256))
        let badResult = await chain.authenticate(Credentials(bearerToken: bad))
        XCTAssertEqual(badResult.failureReason, .expired)
    }

    func testChainAnonymousOnlyWhenNothingPresented() async throws {
        let keys = try APIKeyAuthenticator(keys: [.init(name: "ci-bot", secret: .plain("plain-key"))])
        let open = AuthenticatorChain([keys], required: false)
        XCTAssertTrue(open.cachedResult(for: Credentials())?.principal === Principal.anonymous)
        // A JWT-shaped token nobody handles is refused, never anonymous.
        XCTAssertEqual(open.cachedResult(for: Credentials(bearerToken: "aaa.bbb.ccc"))?.failureReason, .unsupportedCredential)
        let resolved = await open.resolve(Credentials(bearerToken: "aaa.bbb.ccc"))
        XCTAssertEqual(resolved.failureReason, .unsupportedCredential)
    }

    // MARK: - Challenges and metadata

    func testBearerChallenges() {
        let url = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        XCTAssertEqual(
            BearerChallenge.unauthorized(resourceMetadataURL: url, failure: nil),
            #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#
        )
        XCTAssertEqual(
            BearerChallenge.unauthorized(resourceMetadataURL: url, failure: AuthenticationFailure(.missing)),
            #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#
        )
        XCTAssertEqual(
            BearerChallenge.unauthorized(resourceMetadataURL: url, failure: AuthenticationFailure(.expired)),
            #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="The token has expired""#
        )
        XCTAssertEqual(
            BearerChallenge.insufficientScope(resourceMetadataURL: url, requiredScopes: ["a", "b"], description: "need \"more\"\r\n"),
            #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", error="insufficient_scope", scope="a b", error_description="need \"more\"""#
        )
        XCTAssertEqual(BearerChallenge.quoted(#"a"b\c"#), #""a\"b\\c""#)
    }

    func testProtectedResourceMetadata() throws {
        let metadata = ProtectedResourceMetadata(
            resource: "https://mcp.example.com/mcp",
            authorizationServers: ["https://login.example.com"],
            scopesSupported: ["mcp.tools"]
        )
        let json = try JSONSerialization.jsonObject(with: Data(metadata.jsonBytes())) as? [String: Any]
        XCTAssertEqual(json?["resource"] as? String, "https://mcp.example.com/mcp")
        XCTAssertEqual(json?["authorization_servers"] as? [String], ["https://login.example.com"])
        XCTAssertEqual(json?["scopes_supported"] as? [String], ["mcp.tools"])
        XCTAssertEqual(json?["bearer_methods_supported"] as? [String], ["header"])
        XCTAssertEqual(metadata.metadataURL, "https://mcp.example.com/.well-known/oauth-protected-resource/mcp")
        XCTAssertEqual(
            ProtectedResourceMetadata.wellKnownPaths(forResource: "https://mcp.example.com/mcp"),
            ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]
        )
        XCTAssertEqual(ProtectedResourceMetadata.wellKnownPaths(forResource: "https://mcp.example.com/"), ["/.well-known/oauth-protected-resource"])
        XCTAssertEqual(
            ProtectedResourceMetadata.metadataURL(forResource: "https://h:8443/a/b/"),
            "https://h:8443/.well-known/oauth-protected-resource/a/b"
        )
        XCTAssertEqual(ProtectedResourceMetadata.metadataURL(forResource: "https://h"), "https://h/.well-known/oauth-protected-resource")
        XCTAssertNil(ProtectedResourceMetadata.metadataURL(forResource: "not a url"))
    }
}
