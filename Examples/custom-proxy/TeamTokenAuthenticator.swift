import JSONRPC
import MCPSecurity

/// A user's own authenticator: opaque team tokens from a table (think of an internal token
/// service), each naming a team that becomes the principal's subject and role.
///
/// Always fast, so it answers from `cachedResult`; `authenticate` is the same check.
struct TeamTokenAuthenticator: Authenticator {
    /// token -> team
    let teams: [String: String]

    func cachedResult(for credentials: Credentials) -> AuthenticationResult? {
        guard let token = credentials.bearerToken ?? credentials.apiKey else { return .notPresented }
        guard let team = teams[token] else {
            return .failed(AuthenticationFailure(.unknownAPIKey, description: "Unknown team token"))
        }
        return .authenticated(Principal(subject: team, roles: [team], method: .custom))
    }

    func authenticate(_ credentials: Credentials) async -> AuthenticationResult {
        cachedResult(for: credentials) ?? .notPresented
    }
}
