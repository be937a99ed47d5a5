import XCTest
@testable import MCPSecurity

/// `alsoAcceptedAudiences`: a token whose `aud` names a virtual endpoint's URI instead of the
/// proxy's resource is verified; any other audience is still refused.
final class JWTEndpointAudienceTests: XCTestCase {
    private let endpoint = "https://mcp.test/mcp/support"

    private func authenticator(accepting others: [String]) async throws -> JWTAuthenticator {
        var configuration = JWTAuthenticator.Configuration(keySource: .secret(TestKeys.secret), issuer: testIssuer, audience: testAudience)
        configuration.alsoAcceptedAudiences = others
        return try await JWTAuthenticator(configuration: configuration)
    }

    private func token(audience: [String]) -> String {
        let now = Int(Date().timeIntervalSince1970)
        return HS256TokenMinter(secret: TestKeys.secret).mint(.init(
            issuer: testIssuer, subject: "sam", audience: audience, roles: ["support"], issuedAt: now - 5, lifetimeSeconds: 600))
    }

    func testAnEndpointAudienceIsAcceptedOnlyWhenConfigured() async throws {
        let plain = try await authenticator(accepting: [])
        let accepting = try await authenticator(accepting: [endpoint])
        for audience in [[endpoint], ["https://elsewhere", endpoint]] {
            do {
                _ = try await plain.verify(token(audience: audience))
                XCTFail("without alsoAcceptedAudiences, \(audience) must be refused")
            } catch {
                XCTAssertEqual(error.reason, .wrongAudience)
            }
            let principal = try await accepting.verify(token(audience: audience))
            XCTAssertEqual(principal.subject, "sam")
        }
        _ = try await accepting.verify(token(audience: [testAudience]))
        do {
            _ = try await accepting.verify(token(audience: ["https://mcp.test/mcp/other"]))
            XCTFail("another endpoint's URI is not accepted")
        } catch {
            XCTAssertEqual(error.reason, .wrongAudience)
        }
    }
}
