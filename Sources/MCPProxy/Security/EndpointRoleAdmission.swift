import JSONRPC
import MCPSecurity
import MCPTransports

/// A virtual endpoint's `roles`, in front of another admission policy: a principal the inner
/// policy admits but that has none of the roles an endpoint requires is answered HTTP 403 (a
/// JSON-RPC `accessDenied` error with `data.reason` `endpointRole`), before any session is made.
///
/// Endpoints are found by the front's service key of the request (a virtual endpoint's service is
/// its path); requests to other endpoints pass the inner decision on unchanged.
public struct EndpointRoleAdmission: RequestAdmission {
    /// The policy that decides who is calling.
    public let inner: any RequestAdmission
    /// The roles each endpoint requires (at least one), by service key.
    public let roles: [String: [String]]

    /// Wraps `inner`; with no endpoint requiring roles, returns `inner` itself.
    public static func wrap(_ inner: any RequestAdmission, roles: [String: [String]]) -> any RequestAdmission {
        roles.isEmpty ? inner : EndpointRoleAdmission(inner: inner, roles: roles)
    }

    /// Creates the policy.
    public init(inner: any RequestAdmission, roles: [String: [String]]) {
        self.inner = inner
        self.roles = roles
    }

    public func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision? {
        inner.admitImmediately(request).map { check($0, request) }
    }

    public func admit(_ request: AdmissionRequest) async -> AdmissionDecision {
        check(await inner.admit(request), request)
    }

    private func check(_ decision: AdmissionDecision, _ request: AdmissionRequest) -> AdmissionDecision {
        guard case .admit(let principal) = decision, let required = roles[request.service],
              !required.contains(where: principal.hasRole) else { return decision }
        let message = "Forbidden: \(request.path) is open to principals with one of the roles \(required.joined(separator: ", ")); '\(principal.subject)' has \(principal.roles.isEmpty ? "none" : principal.roles.joined(separator: ", "))"
        var data = Array(#"{"reason":"endpointRole","endpoint":"#.utf8)
        data += JSONString.encode(request.path)
        data.append(UInt8(ascii: "}"))
        let body = JSONRPCEncoder.errorResponse(idBytes: nil, code: .accessDenied, message: message, data: data)
        return .reject(HTTPRejection(status: 403, body: Array(body.readableBytesView)))
    }
}
