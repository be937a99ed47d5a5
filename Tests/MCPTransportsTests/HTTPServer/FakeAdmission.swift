import JSONRPC
import MCPTransports
import NIOConcurrencyHelpers

/// A stand-in admission policy: `Authorization: Bearer <subject>[;role=<role>]` admits the
/// principal `<subject>` (roles from the token, method `.custom`); anything else is refused with
/// 401 and `WWW-Authenticate`. With `slow`, every decision goes through the async path after
/// `delay`; it records every request it was asked about.
final class FakeAdmission: RequestAdmission {
    let slow: Bool
    let delay: Duration
    private let asked = NIOLockedValueBox<[AdmissionRequest]>([])
    private let slowCalls = NIOLockedValueBox(0)

    init(slow: Bool = false, delay: Duration = .milliseconds(200)) {
        self.slow = slow
        self.delay = delay
    }

    /// Every request asked about, in order.
    var requests: [AdmissionRequest] { asked.withLockedValue { $0 } }
    /// How often the async path ran.
    var slowPathCount: Int { slowCalls.withLockedValue { $0 } }

    func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision? {
        guard !slow else { return nil }
        asked.withLockedValue { $0.append(request) }
        return decide(request)
    }

    func admit(_ request: AdmissionRequest) async -> AdmissionDecision {
        asked.withLockedValue { $0.append(request) }
        slowCalls.withLockedValue { $0 += 1 }
        try? await Task.sleep(for: delay)
        return decide(request)
    }

    static let challenge = #"Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource""#

    private func decide(_ request: AdmissionRequest) -> AdmissionDecision {
        guard let header = request.authorization, header.hasPrefix("Bearer ") else {
            return .reject(Self.unauthorized(#"{"error":"missing token"}"#))
        }
        let token = header.dropFirst("Bearer ".count)
        let parts = token.split(separator: ";")
        guard let subject = parts.first, subject != "bad" else {
            return .reject(Self.unauthorized(#"{"error":"invalid token"}"#))
        }
        let roles = parts.dropFirst().compactMap { part -> String? in
            part.hasPrefix("role=") ? String(part.dropFirst(5)) : nil
        }
        return .admit(Principal(subject: String(subject), issuer: "https://issuer.test", roles: roles, method: .custom))
    }

    private static func unauthorized(_ body: String) -> HTTPRejection {
        HTTPRejection(status: 401, headers: [("WWW-Authenticate", challenge)], body: Array(body.utf8))
    }
}
