import MCPConfig
import MCPProxy
import MCPStats
import MCPTransports

/// What the admin listener's pages and API read and control: the gateway's numbers, its
/// current configuration's proxies, its front, and its core (for reload).
struct AdminContext: Sendable {
    let stats: StatsRegistry
    let readiness: Readiness
    let frontMetrics: FrontMetrics
    let server: HTTPFrontServer
    let snapshot: Gateway.SnapshotBox
    let core: GatewayCore

    /// The configuration new sessions get.
    var current: GatewayGeneration? { snapshot.withLock { $0.current } }

    /// `proxy.admin.token` of the current configuration (a reload may change it).
    var adminToken: String? { current?.config.proxy.admin?.token }
}

/// Routes admin requests: the read-only pages (`/healthz`, `/readyz`, `/metrics`, `/stats`),
/// and the rest by prefix.
struct AdminRouter: Sendable {
    let context: AdminContext

    func answer(_ request: AdminRequest) async -> AdminResponse {
        context.frontMetrics.refresh()
        if request.path.hasPrefix("/api/") {
            return await AdminAPI(context: context).answer(request)
        }
        if request.path == "/admin/pins" || request.path.hasPrefix("/admin/pins/") {
            // The name for the pinning API; the same requests as /api/pins.
            var aliased = request
            aliased.path = "/api" + request.path.dropFirst("/admin".count)
            return await AdminAPI(context: context).answer(aliased)
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return AdminResponse(status: 405, contentType: "text/plain; charset=utf-8", body: "method not allowed: pages answer GET\n",
                                 headers: [("allow", "GET")])
        }
        switch request.path {
        case "/", "/status.json":
            return StatusReport.answer(path: request.path, context: context)
        case "/healthz", "/readyz", "/metrics", "/stats":
            let answer = AdminPages.answer(method: request.method, path: request.path, stats: context.stats, readiness: context.readiness)
            return AdminResponse(status: answer.status, contentType: answer.contentType, body: answer.body)
        default:
            return AdminResponse(status: 404, contentType: "text/plain; charset=utf-8",
                                 body: "not found: try /, /status.json, /healthz, /readyz, /metrics, /stats or /api/\n")
        }
    }
}
