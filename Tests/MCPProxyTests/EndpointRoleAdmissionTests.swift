import JSONRPC
import MCPProxy
import MCPTransports
import XCTest

/// An inner policy that admits whoever it was told to, on both paths.
private struct Admits: RequestAdmission {
    let decision: AdmissionDecision
    let immediate: Bool

    func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision? { immediate ? decision : nil }
    func admit(_ request: AdmissionRequest) async -> AdmissionDecision { decision }
}

/// `roles` of a virtual endpoint at the front: 403 for principals with none of them, before any
/// session; other endpoints and refusals of the inner policy pass unchanged.
final class EndpointRoleAdmissionTests: XCTestCase {
    private let support = Principal(subject: "sam", roles: ["support"], method: .apiKey)
    private let dev = Principal(subject: "dee", roles: ["dev"], method: .apiKey)
    private let roles = ["/mcp/support": ["support", "lead"]]

    private func request(_ service: String) -> AdmissionRequest {
        AdmissionRequest(httpMethod: "POST", path: service == "*" ? "/mcp" : service, endpoint: .streamableHTTP, service: service)
    }

    private func status(_ decision: AdmissionDecision?) -> Int? {
        switch decision {
        case .admit?: return 200
        case .reject(let rejection)?: return rejection.status
        case nil: return nil
        }
    }

    func testPrincipalWithoutTheRoleGets403OnBothPaths() async throws {
        for immediate in [true, false] {
            let policy = EndpointRoleAdmission.wrap(Admits(decision: .admit(dev), immediate: immediate), roles: roles)
            let decision = immediate ? policy.admitImmediately(request("/mcp/support")) : await policy.admit(request("/mcp/support"))
            guard case .reject(let rejection)? = decision else { return XCTFail("expected 403, got \(String(describing: decision))") }
            XCTAssertEqual(rejection.status, 403)
            let body = try JSONValue(parsing: rejection.body)
            XCTAssertEqual(body["error"]?["code"]?.intValue, -32003)
            XCTAssertEqual(body["error"]?["data"]?["reason"]?.stringValue, "endpointRole")
            XCTAssertTrue(body["error"]?["message"]?.stringValue?.contains("support, lead") == true, "\(body)")
        }
    }

    func testPrincipalWithOneRoleAndOtherEndpointsPass() async {
        let policy = EndpointRoleAdmission.wrap(Admits(decision: .admit(support), immediate: true), roles: roles)
        XCTAssertEqual(status(policy.admitImmediately(request("/mcp/support"))), 200)
        let devPolicy = EndpointRoleAdmission.wrap(Admits(decision: .admit(dev), immediate: true), roles: roles)
        XCTAssertEqual(status(devPolicy.admitImmediately(request("*"))), 200, "the main path has no roles")
        XCTAssertEqual(status(devPolicy.admitImmediately(request("/mcp/other"))), 200)
        let slow = EndpointRoleAdmission.wrap(Admits(decision: .admit(dev), immediate: false), roles: roles)
        XCTAssertNil(slow.admitImmediately(request("/mcp/support")), "no decision yet stays no decision")
        let anonymous = EndpointRoleAdmission.wrap(Admits(decision: .admit(.anonymous), immediate: true), roles: roles)
        XCTAssertEqual(status(anonymous.admitImmediately(request("/mcp/support"))), 403)
    }

    func testInnerRefusalsPassUnchangedAndNoRolesMeansNoWrapper() {
        let refused = EndpointRoleAdmission.wrap(Admits(decision: .reject(HTTPRejection(status: 401)), immediate: true), roles: roles)
        XCTAssertEqual(status(refused.admitImmediately(request("/mcp/support"))), 401)
        let inner = Admits(decision: .admit(dev), immediate: true)
        XCTAssertFalse(EndpointRoleAdmission.wrap(inner, roles: [:]) is EndpointRoleAdmission, "no roles: the inner policy itself")
    }
}
