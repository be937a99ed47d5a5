import JSONRPC
import MCPRouting
import MCPSecurity
import MCPTransports

/// Where a JWT may be used when the proxy has virtual endpoints: its `aud` must contain the
/// proxy's audience (`proxy.auth.resource`), or the absolute URI of the endpoint the request
/// arrives at. The authenticator accepts every endpoint's URI (so a token is verified and cached
/// once); this policy, in front of it, refuses a token meant for one endpoint at another one or at
/// the main path, with the 401 the authenticator would have given (`wrongAudience`).
///
/// Only principals authenticated by a JWT are checked; API keys and client certificates are not
/// bound to an audience. The token's payload is read again (not verified again: the inner policy
/// did that) only when its `aud` is needed.
public struct EndpointAudienceAdmission: RequestAdmission {
    /// The policy that authenticates.
    public let inner: any RequestAdmission
    /// The audience every path accepts (the proxy's resource URI).
    public let audience: String
    /// Each endpoint's absolute URI, by the front's service key (its path).
    public let endpointAudiences: [String: String]

    /// Creates the policy.
    public init(inner: any RequestAdmission, audience: String, endpointAudiences: [String: String]) {
        self.inner = inner
        self.audience = audience
        self.endpointAudiences = endpointAudiences
    }

    public func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision? {
        inner.admitImmediately(request).map { check($0, request) }
    }

    public func admit(_ request: AdmissionRequest) async -> AdmissionDecision {
        check(await inner.admit(request), request)
    }

    private func check(_ decision: AdmissionDecision, _ request: AdmissionRequest) -> AdmissionDecision {
        guard case .admit(let principal) = decision, principal.method == .jwt else { return decision }
        let audiences = Self.audiences(ofBearer: request.authorization)
        if audiences.contains(audience) { return decision }
        if let own = endpointAudiences[request.service], audiences.contains(own) { return decision }
        let expected = endpointAudiences[request.service].map { "\(audience) or \($0)" } ?? audience
        let message = "Unauthorized: the token's audience (aud) does not include \(expected), so it is not valid at \(request.path)"
        let data = Array(#"{"reason":"wrongAudience"}"#.utf8)
        let body = JSONRPCEncoder.errorResponse(idBytes: nil, code: .unauthorized, message: message, data: data)
        return .reject(HTTPRejection(
            status: 401,
            headers: [("WWW-Authenticate", #"Bearer error="invalid_token", error_description="the token is not meant for this endpoint""#)],
            body: Array(body.readableBytesView)))
    }

    /// The `aud` values of a bearer token's payload (a string or an array); empty when unreadable.
    public static func audiences(ofBearer authorization: String?) -> [String] {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return [] }
        let parts = authorization.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1].utf8, canonical: false),
              let parsed = try? JSONValue(parsing: payload), case .object(let claims) = parsed else { return [] }
        switch claims["aud"] {
        case .string(let value)?: return [value]
        case .array(let values)?: return values.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
        default: return []
        }
    }
}
