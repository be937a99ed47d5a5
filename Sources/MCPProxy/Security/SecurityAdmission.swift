import JSONRPC
import MCPSecurity
import MCPTransports

/// The HTTP front's admission policy built from MCPSecurity's parts: an ``Authenticator`` decides
/// who is calling, a per-address limit slows down clients that keep failing, and refusals are
/// answered the way the MCP authorization spec says (401 with a `WWW-Authenticate` challenge that
/// points at the protected-resource metadata, 429 with `Retry-After`).
///
/// Tokens are read from the `Authorization` header only: a request that carries an
/// `access_token` in its query string is refused, whatever its headers say.
///
/// The per-address limit guards the authentication machinery: a request whose credential is
/// already verified (a cache hit) passes without it, so busy authenticated clients behind one
/// address are never slowed; every other request (no credential, a new token whose signature
/// must be checked) takes a token from its address's bucket, and a failure costs the limit's
/// penalty on top. An empty bucket answers 429 with `Retry-After`.
public struct SecurityAdmission: RequestAdmission {
    /// Who is calling.
    public let authenticator: any Authenticator
    /// Absolute URL of the protected-resource metadata document, for challenges.
    public let resourceMetadataURL: String?
    /// The per-remote-address limit before authentication; nil disables it.
    public let preAuthLimit: PreAuthLimiter?
    /// Told about every request this policy refuses, with the reason: the
    /// ``AuthenticationFailure/Reason`` raw value (`missing`, `expired`, ...) of a 401, or
    /// `preAuthLimit` for a 429. Nil (the default) tells nobody; counters and access logs hang here.
    public var onRefusal: (@Sendable (_ reason: String, _ request: AdmissionRequest) -> Void)?

    /// Creates the policy.
    public init(authenticator: any Authenticator, resourceMetadataURL: String?, preAuthLimit: PreAuthLimiter?) {
        self.authenticator = authenticator
        self.resourceMetadataURL = resourceMetadataURL
        self.preAuthLimit = preAuthLimit
    }

    public func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision? {
        let result = request.accessTokenInQuery ? nil : authenticator.cachedResult(for: credentials(of: request))
        if case .authenticated(let principal)? = result, principal.method != .anonymous {
            return .admit(principal)
        }
        if let refusal = precheck(request) { return refusal }
        guard let result else { return nil }
        return decide(result, request: request)
    }

    /// The slow path: the front calls it only after ``admitImmediately(_:)`` returned nil, which
    /// already charged the address's bucket and checked the query, so this only authenticates.
    public func admit(_ request: AdmissionRequest) async -> AdmissionDecision {
        decide(await authenticator.authenticate(credentials(of: request)), request: request)
    }

    private func credentials(of request: AdmissionRequest) -> Credentials {
        Credentials(authorization: request.authorization, apiKeyHeader: request.apiKey,
                    peerSubject: request.peerCertificateSubject, remoteAddress: request.remoteAddress)
    }

    /// Refusals that need no authenticator: an address over its limit, a token in the query.
    /// Takes one token from the address's bucket.
    private func precheck(_ request: AdmissionRequest) -> AdmissionDecision? {
        if let preAuthLimit, let address = request.remoteAddress,
           case .limited(let wait, _) = preAuthLimit.check(remoteAddress: address, now: MonotonicClock.now()) {
            onRefusal?("preAuthLimit", request)
            return .reject(Self.tooManyRequests(retryAfterNanoseconds: wait))
        }
        if request.accessTokenInQuery {
            recordFailure(request)
            onRefusal?(AuthenticationFailure.Reason.unsupportedCredential.rawValue, request)
            return .reject(unauthorized(AuthenticationFailure(.unsupportedCredential,
                description: "Tokens are accepted in the Authorization header only, never in the query string")))
        }
        return nil
    }

    private func decide(_ result: AuthenticationResult, request: AdmissionRequest) -> AdmissionDecision {
        switch result {
        case .authenticated(let principal):
            return .admit(principal)
        case .notPresented:
            return .admit(.anonymous)
        case .failed(let failure):
            recordFailure(request)
            onRefusal?(failure.reason.rawValue, request)
            return .reject(unauthorized(failure))
        }
    }

    private func recordFailure(_ request: AdmissionRequest) {
        guard let preAuthLimit, let address = request.remoteAddress else { return }
        preAuthLimit.recordFailedAuthentication(remoteAddress: address, now: MonotonicClock.now())
    }

    private func unauthorized(_ failure: AuthenticationFailure) -> HTTPRejection {
        let challenge = BearerChallenge.unauthorized(resourceMetadataURL: resourceMetadataURL, failure: failure)
        return HTTPRejection(
            status: 401,
            headers: [("WWW-Authenticate", challenge)],
            body: Self.errorBody(code: JSONRPCErrorCode.unauthorized.rawValue, message: "Unauthorized: \(failure.description)", reason: failure.reason.rawValue))
    }

    static func tooManyRequests(retryAfterNanoseconds: UInt64) -> HTTPRejection {
        let seconds = PreAuthLimiter.retryAfterSeconds(retryAfterNanoseconds)
        return HTTPRejection(
            status: 429,
            headers: [("Retry-After", String(seconds))],
            body: errorBody(code: JSONRPCErrorCode.rateLimited.rawValue,
                            message: "Too many requests that failed authentication from this address; retry after \(seconds) s",
                            reason: "preAuthLimit"))
    }

    /// A JSON-RPC error without an id, as the body of an HTTP refusal.
    static func errorBody(code: Int, message: String, reason: String) -> [UInt8] {
        var data = Array(#"{"reason":"#.utf8)
        data += JSONString.encode(reason)
        data.append(UInt8(ascii: "}"))
        let buffer = JSONRPCEncoder.errorResponse(idBytes: nil, code: JSONRPCErrorCode(rawValue: code), message: message, data: data)
        return Array(buffer.readableBytesView)
    }
}
