import MCPProxy
import MCPStats
import MCPTransports

extension SecurityComponents {
    /// What the HTTP front's admission does when it refuses a request: count it in
    /// `mcp_proxy_auth_failures_total{reason}` and give it an access-log line (no session, no
    /// principal, no JSON-RPC method yet: the HTTP method and path, status and remote address).
    static func authenticationRefused(stats: StatsRegistry?, accessLog: AccessLog?) -> (@Sendable (String, AdmissionRequest) -> Void)? {
        guard stats != nil || accessLog != nil else { return nil }
        return { reason, request in
            stats?.counter("mcp_proxy_auth_failures_total", help: "Requests the HTTP front refused before a session: failed authentication by reason, and preAuthLimit",
                           labels: ["reason": reason]).increment()
            accessLog?.record(AccessLogRecord(
                time: AccessLogRecord.now(), outcome: .refused(reason: reason, code: nil),
                http: "\(request.httpMethod) \(request.path)", status: reason == "preAuthLimit" ? 429 : 401,
                remote: request.remoteAddress))
        }
    }
}
