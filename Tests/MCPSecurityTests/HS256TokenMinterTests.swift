import JSONRPC
import MCPSecurity
import Testing

@Suite("HS256 token minter")
struct HS256TokenMinterTests {
    static let secret = "a-development-secret-of-at-least-32-bytes"

    @Test("a minted token verifies with the same secret and carries its claims")
    func roundTrip() async throws {
        let now = 1_800_000_000
        let clock = SecurityClock(wallSeconds: { Double(now + 10) }, monotonicNanoseconds: { 1 })
        let authenticator = try await JWTAuthenticator(
            configuration: .init(keySource: .secret(Self.secret), issuer: "local-dev", audience: "http://127.0.0.1:8080/mcp"),
            clock: clock)
        let token = HS256TokenMinter(secret: Self.secret).mint(.init(
            issuer: "local-dev", subject: "alice", audience: ["http://127.0.0.1:8080/mcp"], roles: ["reader", "ops"],
            scopes: ["mcp.tools"], issuedAt: now, lifetimeSeconds: 60))
        let result = await authenticator.authenticate(Credentials(bearerToken: token))
        guard case .authenticated(let principal) = result else {
            Issue.record("expected the minted token to verify, got \(result)")
            return
        }
        #expect(principal.subject == "alice")
        #expect(principal.roles == ["ops", "reader"])
        #expect(principal.scopes == ["mcp.tools"])
        #expect(principal.expiresAt == Double(now + 60))
    }

    @Test("a token minted with another secret is refused")
    func otherSecret() async throws {
        let now = 1_800_000_000
        let clock = SecurityClock(wallSeconds: { Double(now) }, monotonicNanoseconds: { 1 })
        let authenticator = try await JWTAuthenticator(
            configuration: .init(keySource: .secret(Self.secret), issuer: "local-dev", audience: "aud"), clock: clock)
        let token = HS256TokenMinter(secret: Self.secret + "-other").mint(.init(
            issuer: "local-dev", subject: "alice", audience: ["aud"], issuedAt: now, lifetimeSeconds: 60))
        let result = await authenticator.authenticate(Credentials(bearerToken: token))
        #expect(result == .failed(AuthenticationFailure(.badSignature)))
    }
}
