import JSONRPC
import MCPProxy
import MCPRouting
import MCPTransports
import XCTest

/// An inner policy that admits everyone as one principal.
private struct AdmitsAs: RequestAdmission {
    let principal: Principal

    func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision? { .admit(principal) }
    func admit(_ request: AdmissionRequest) async -> AdmissionDecision { .admit(principal) }
}

/// Where a JWT is valid with virtual endpoints: `aud` has the proxy's resource (anywhere) or the
/// endpoint's own URI (only there).
final class EndpointAudienceAdmissionTests: XCTestCase {
    private let resource = "https://mcp.test/mcp"
    private let support = "https://mcp.test/mcp/support"

    private func bearer(aud: String) -> String {
        let header = Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"sub":"sam","aud":\#(aud)}"#.utf8))
        return "Bearer \(header).\(payload).c2ln"
    }

    private func status(_ method: Principal.Method, aud: String?, service: String) -> Int {
        let policy = EndpointAudienceAdmission(
            inner: AdmitsAs(principal: Principal(subject: "sam", method: method)), audience: resource,
            endpointAudiences: ["/mcp/support": support, "/mcp/dev": "https://mcp.test/mcp/dev"])
        let request = AdmissionRequest(httpMethod: "POST", path: service == "*" ? "/mcp" : service, endpoint: .streamableHTTP, service: service,
                                       authorization: aud.map(bearer(aud:)))
        switch policy.admitImmediately(request) {
        case .admit?: return 200
        case .reject(let rejection)?: return rejection.status
        case nil: return 0
        }
    }

    func testTheResourceAudienceIsValidEverywhere() {
        for service in ["*", "/mcp/support", "/mcp/dev"] {
            XCTAssertEqual(status(.jwt, aud: #""\#(resource)""#, service: service), 200, service)
            XCTAssertEqual(status(.jwt, aud: #"["x","\#(resource)"]"#, service: service), 200, service)
        }
    }

    func testAnEndpointAudienceIsValidOnlyAtItsEndpoint() {
        XCTAssertEqual(status(.jwt, aud: #""\#(support)""#, service: "/mcp/support"), 200)
        XCTAssertEqual(status(.jwt, aud: #"["\#(support)"]"#, service: "/mcp/support"), 200)
        XCTAssertEqual(status(.jwt, aud: #""\#(support)""#, service: "/mcp/dev"), 401, "another endpoint")
        XCTAssertEqual(status(.jwt, aud: #""\#(support)""#, service: "*"), 401, "the main path")
    }

    func testOnlyJWTPrincipalsAreChecked() {
        XCTAssertEqual(status(.apiKey, aud: nil, service: "/mcp/support"), 200)
        XCTAssertEqual(status(.jwt, aud: nil, service: "/mcp/support"), 401, "a JWT principal without a readable token")
        XCTAssertEqual(EndpointAudienceAdmission.audiences(ofBearer: bearer(aud: #"["a","b",3]"#)), ["a", "b"])
        XCTAssertEqual(EndpointAudienceAdmission.audiences(ofBearer: "Basic abc"), [])
    }
}
