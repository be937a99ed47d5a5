import MCPStats
import MCPTransports

/// Copies the HTTP front's connection statistics into gauges just before the admin endpoints
/// render them, so `/metrics` and `/stats` show what the connection guards did.
struct FrontMetrics: Sendable {
    let server: HTTPFrontServer
    let open: Gauge
    let limit: Gauge
    let refusedOverTotal: Gauge
    let refusedOverAddress: Gauge
    let headerTimeouts: Gauge
    let idleTimeouts: Gauge
    let acceptBackoffs: Gauge
    let refusedSessions: Gauge

    init(server: HTTPFrontServer, stats: StatsRegistry) {
        self.server = server
        open = stats.gauge("mcp_proxy_front_connections", help: "Open connections on the HTTP front")
        limit = stats.gauge("mcp_proxy_front_connections_limit", help: "The connection cap in force (maxConnections, lowered to fit the open-files limit)")
        let help = "Connections or sessions the HTTP front refused or cut since start, by reason"
        func gauge(_ reason: String) -> Gauge {
            stats.gauge("mcp_proxy_front_refused", help: help, labels: ["reason": reason])
        }
        refusedOverTotal = gauge("max_connections")
        refusedOverAddress = gauge("max_connections_per_address")
        headerTimeouts = gauge("header_timeout")
        idleTimeouts = gauge("idle_timeout")
        acceptBackoffs = gauge("accept_backoff")
        refusedSessions = gauge("max_sessions")
    }

    /// Reads the front's statistics into the gauges.
    func refresh() {
        let statistics = server.connectionStatistics
        open.set(statistics.open)
        limit.set(statistics.maxConnections)
        refusedOverTotal.set(statistics.refusedOverTotal)
        refusedOverAddress.set(statistics.refusedOverAddress)
        headerTimeouts.set(statistics.headerTimeouts)
        idleTimeouts.set(statistics.idleTimeouts)
        acceptBackoffs.set(statistics.acceptBackoffs)
        refusedSessions.set(statistics.refusedSessions)
    }
}
