import Crypto
import Foundation
import JSONRPC
import MCPConfig
import MCPProxy
import MCPTransports

/// The admin API under `/api/` (JSON; `Authorization: Bearer <proxy.admin.token>`):
///
/// | request | does |
/// |---|---|
/// | `GET /api/upstreams` | each upstream's state (as `mcpproxy_upstreams_json`) |
/// | `GET /api/sessions` | the open client sessions: principal, client, protocol, age, requests in flight |
/// | `POST /api/upstreams/NAME/restart` | closes the upstream's open sessions; the pool opens fresh ones (requests in flight on them fail; safe ones are retried) |
/// | `POST /api/upstreams/NAME/drain` | takes the upstream out of service: new requests get "unavailable", requests in flight finish (up to `?timeout=SECONDS`, default 30), then its sessions close; `restart` brings it back |
/// | `POST /api/upstreams/NAME/breaker/reset` | closes its circuit breakers |
/// | `POST /api/reload` | reloads the config file, as SIGHUP does |
/// | `GET /api/pins`, `POST /api/pins/approve` | tool-definition pinning (``AdminPins``; also at `/admin/pins`) |
///
/// Without a token in the config the API answers 403; a missing or wrong token gets 401.
struct AdminAPI: Sendable {
    let context: AdminContext

    func answer(_ request: AdminRequest) async -> AdminResponse {
        if let refusal = authorize(request) { return refusal }
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        // parts[0] == "api"
        switch (request.method, Array(parts.dropFirst())) {
        case ("GET", ["upstreams"]):
            return json(200, upstreamsJSON())
        case ("GET", ["sessions"]):
            return json(200, sessionsJSON())
        case ("POST", ["reload"]):
            return await reload()
        case ("GET", ["pins"]):
            let answer = AdminPins.list(context: context)
            return json(answer.status, answer.body)
        case ("POST", ["pins", "approve"]):
            let answer = AdminPins.approve(request, context: context)
            return json(answer.status, answer.body)
        case ("POST", let path) where path.count >= 3 && path[0] == "upstreams":
            let name = path[1]
            guard let proxy = context.current?.aggregated, proxy.upstreams.contains(where: { $0.name == name }) else {
                return error(404, "no upstream '\(name)' in the current configuration; GET /api/upstreams lists them")
            }
            switch Array(path.dropFirst(2)) {
            case ["restart"]:
                await proxy.restartUpstream(name)
                return json(200, #"{"upstream":\#(quoted(name)),"restarted":true}"#)
            case ["drain"]:
                let seconds = Self.queryValue("timeout", in: request.query).flatMap(Double.init) ?? 30
                let left = await proxy.drainUpstream(name, timeout: .milliseconds(Int64(max(0, seconds) * 1000)))
                return json(200, #"{"upstream":\#(quoted(name)),"drained":true,"requestsCutOff":\#(left)}"#)
            case ["breaker", "reset"]:
                proxy.resetBreakers(name)
                return json(200, #"{"upstream":\#(quoted(name)),"breaker":"closed"}"#)
            default:
                return error(404, "unknown action; use restart, drain or breaker/reset")
            }
        case (let method, _) where method != "GET" && method != "POST":
            return AdminResponse(status: 405, contentType: "application/json", body: #"{"error":"the admin API takes GET and POST"}"# + "\n",
                                 headers: [("allow", "GET, POST")])
        default:
            return error(404, "unknown admin API path; see GET /api/upstreams, GET /api/sessions, POST /api/reload, POST /api/upstreams/NAME/{restart,drain,breaker/reset}, GET /api/pins, POST /api/pins/approve")
        }
    }

    /// Nil when the request carries the configured token.
    private func authorize(_ request: AdminRequest) -> AdminResponse? {
        guard let token = context.adminToken else {
            return error(403, "the admin API is off: set proxy.admin.token (at least 16 characters) to turn it on")
        }
        let prefix = "bearer "
        guard let header = request.header("authorization"), header.lowercased().hasPrefix(prefix) else {
            var response = error(401, "send Authorization: Bearer <proxy.admin.token>")
            response.headers.append(("www-authenticate", #"Bearer realm="mcp-proxy admin""#))
            return response
        }
        let given = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        // Compare digests, so the time taken says nothing about the token.
        guard SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(token.utf8)) else {
            var response = error(401, "wrong admin token")
            response.headers.append(("www-authenticate", #"Bearer realm="mcp-proxy admin", error="invalid_token""#))
            return response
        }
        return nil
    }

    private func reload() async -> AdminResponse {
        guard let load = await context.core.reloadSource else {
            return error(409, "this gateway has no config file to reload from (it was started from config text); reload it through its API")
        }
        let loaded: ProxyConfig
        do {
            loaded = try load()
        } catch {
            return self.error(422, "the config file has problems; the running configuration stays:\n\(error)")
        }
        do {
            try await context.core.reload(loaded)
            return json(200, #"{"reloaded":true,"upstreams":[\#(loaded.servers.map { quoted($0.name) }.joined(separator: ","))]}"#)
        } catch {
            return self.error(error.kind == .config ? 422 : 409, error.message)
        }
    }

    private func upstreamsJSON() -> String {
        let statuses = context.current?.aggregated.upstreamStatus() ?? []
        return UpstreamStatusJSON.encode(statuses)
    }

    private func sessionsJSON() -> String {
        let sessions = (context.current.map { Array($0.proxies.values) } ?? []).flatMap { $0.sessionSummaries() }
        let items = sessions.map { session in
            #"{"principal":\#(quoted(session.principal)),"client":\#(quoted(session.client)),"protocolVersion":\#(quoted(session.protocolVersion)),"#
                + #""ageSeconds":\#(Int(session.age.components.seconds)),"requestsInFlight":\#(session.requestsInFlight)}"#
        }
        return #"{"count":\#(sessions.count),"sessions":[\#(items.joined(separator: ","))]}"#
    }

    private func json(_ status: Int, _ body: String) -> AdminResponse {
        AdminResponse(status: status, contentType: "application/json", body: body + "\n", headers: [("cache-control", "no-store")])
    }

    private func error(_ status: Int, _ message: String) -> AdminResponse {
        json(status, #"{"error":\#(quoted(message))}"#)
    }

    private func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONString.append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func queryValue(_ name: String, in query: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }
}
