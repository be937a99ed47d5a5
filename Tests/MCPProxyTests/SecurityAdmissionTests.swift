import JSONRPC
import MCPProxy
import MCPSecurity
import MCPTransports
import NIOConcurrencyHelpers
import XCTest

/// An authenticator whose every token needs the slow path (like a JWT seen for the first time).
struct SlowAuthenticator: Authenticator {
    let calls = NIOLockedValueBox(0)

    func cachedResult(for credentials: Credentials) -> AuthenticationResult? {
        credentials.bearerToken == nil ? .notPresented : nil
    }

    func authenticate(_ credentials: Credentials) async -> AuthenticationResult {
        calls.withLockedValue { $0 += 1 }
        if credentials.bearerToken == "good" { return .authenticated(Principal(subject: "alice", method: .custom)) }
        return .failed(AuthenticationFailure(.badSignature))
    }
}

/// The front's admission policy built from MCPSecurity: the order of its checks and what the
/// per-address limit charges, driven as the HTTP front drives it (fast path, then slow path).
final class SecurityAdmissionTests: XCTestCase {
    private func request(_ token: String?, query: Bool = false) -> AdmissionRequest {
        AdmissionRequest(httpMethod: "POST", path: "/mcp", endpoint: .streamableHTTP, service: "*",
                         authorization: token.map { "Bearer \($0)" }, accessTokenInQuery: query, remoteAddress: "192.0.2.7")
    }

    /// What the front does: the fast path, and the slow path only when it has no answer.
    private func admit(_ admission: SecurityAdmission, _ request: AdmissionRequest) async -> AdmissionDecision {
        if let decided = admission.admitImmediately(request) { return decided }
        return await admission.admit(request)
    }

    private func status(_ decision: AdmissionDecision) -> Int {
        switch decision {
        case .admit: return 200
        case .reject(let rejection): return rejection.status
        }
    }

    func testAnUnverifiedTokenCostsOneTokenOfItsAddressNotTwo() async {
        let admission = SecurityAdmission(
            authenticator: AuthenticatorChain([SlowAuthenticator()], required: true), resourceMetadataURL: nil,
            preAuthLimit: PreAuthLimiter(limit: PreAuthLimit(rate: 1e-6, burst: 3, failurePenalty: 4)))
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(status(await admit(admission, request("good")))) }
        XCTAssertEqual(statuses, [200, 200, 200, 429], "burst 3: three first-time verifications, then 429")
    }

    func testFailuresCostThePenaltyAndChallengesNameTheMetadata() async {
        let admission = SecurityAdmission(
            authenticator: AuthenticatorChain([SlowAuthenticator()], required: true),
            resourceMetadataURL: "https://mcp.test/.well-known/oauth-protected-resource/mcp",
            preAuthLimit: PreAuthLimiter(limit: PreAuthLimit(rate: 1e-6, burst: 6, failurePenalty: 4)))
        guard case .reject(let first) = await admit(admission, request("bad")) else { return XCTFail("a bad token was admitted") }
        XCTAssertEqual(first.status, 401)
        let challenge = first.headers.first { $0.0 == "WWW-Authenticate" }?.1 ?? ""
        XCTAssertTrue(challenge.contains(#"resource_metadata="https://mcp.test/.well-known/oauth-protected-resource/mcp""#), challenge)
        XCTAssertTrue(challenge.contains(#"error="invalid_token""#), challenge)
        // 1 + 4 of 6 tokens are gone: one more request is admitted, the next is over the limit.
        let next = status(await admit(admission, request("good")))
        XCTAssertEqual(next, 200)
        guard case .reject(let limited) = await admit(admission, request("good")) else { return XCTFail("expected 429") }
        XCTAssertEqual(limited.status, 429)
        XCTAssertNotNil(limited.headers.first { $0.0 == "Retry-After" })
    }

    func testATokenInTheQueryIsRefusedWithoutAuthenticating() async {
        let authenticator = SlowAuthenticator()
        let admission = SecurityAdmission(authenticator: AuthenticatorChain([authenticator], required: true), resourceMetadataURL: nil, preAuthLimit: nil)
        let refused = status(await admit(admission, request("good", query: true)))
        XCTAssertEqual(refused, 401)
        XCTAssertEqual(authenticator.calls.withLockedValue { $0 }, 0)
    }
}
