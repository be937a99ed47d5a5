import MCPPool
import MCPReliability
import MCPStats

/// The pool and reliability series of one upstream (names in `Documentation/Metrics.md`).
struct UpstreamMetrics: Sendable {
    let stats: StatsRegistry
    let upstream: String
    /// Upstream sessions open (shared and per-session alike; per-session sessions add up).
    let sessionsOpen: Gauge
    let exclusiveLeases: Gauge
    let waiting: Gauge
    let inFlight: Gauge
    let openFailures: Counter
    let lost: Counter
    let unattributed: Counter
    let healthFailures: Counter
    let memoryRestarts: Counter
    let retries: Counter
    let bulkheadRejected: Counter
    /// Requests that found no free session or `maxConcurrent` slot at once and waited for one.
    let waits: Counter
    private let isShared: Bool

    init(stats: StatsRegistry, upstream: String, mode: String) {
        self.stats = stats
        self.upstream = upstream
        self.isShared = mode == "shared"
        let labels = ["upstream": upstream]
        sessionsOpen = stats.gauge("mcp_proxy_upstream_sessions", help: "Upstream sessions open (children running, for stdio upstreams)", labels: labels)
        exclusiveLeases = stats.gauge("mcp_proxy_upstream_sessions_leased", help: "Shared upstream sessions leased exclusively by one client's tool call", labels: labels)
        waiting = stats.gauge("mcp_proxy_upstream_waiting", help: "Requests waiting for an upstream session", labels: labels)
        inFlight = stats.gauge("mcp_proxy_upstream_in_flight", help: "Requests in flight under the upstream's maxConcurrent", labels: labels)
        openFailures = stats.counter("mcp_proxy_upstream_open_failures_total", help: "Upstream sessions that failed to start or initialize", labels: labels)
        lost = stats.counter("mcp_proxy_upstream_sessions_lost_total", help: "Upstream sessions that stopped unexpectedly (crash, exit, hang)", labels: labels)
        unattributed = stats.counter("mcp_proxy_unattributed_server_messages_total", help: "Requests and notifications from a shared upstream session that belonged to no client (refused or dropped)", labels: labels)
        healthFailures = stats.counter("mcp_proxy_health_failures_total", help: "Health pings that failed", labels: labels)
        memoryRestarts = stats.counter("mcp_proxy_upstream_memory_restarts_total", help: "Children restarted for exceeding maxRSSMiB", labels: labels)
        retries = stats.counter("mcp_proxy_retries_total", help: "Requests sent again after a transport failure", labels: labels)
        bulkheadRejected = stats.counter("mcp_proxy_bulkhead_rejected_total", help: "Requests refused because maxConcurrent and maxQueued were full", labels: labels)
        waits = stats.counter("mcp_proxy_upstream_waits_total", help: "Requests that found no free upstream session or maxConcurrent slot at once and waited", labels: labels)
    }

    func poolEvent(_ event: PoolEvent) {}

    func breakerTransition(replica: Int, to state: CircuitState) {
        stats.counter("mcp_proxy_breaker_transitions_total", help: "Circuit breaker state changes, by new state",
                      labels: ["upstream": upstream, "replica": "\(replica)", "state": state.name]).increment()
    }

    func update(open: Int, exclusive: Int, waiting: Int, inFlight: Int, breakers: [CircuitState?]) {
        guard isShared else { return }
        exclusiveLeases.set(exclusive)
        self.waiting.set(waiting)
        self.inFlight.set(inFlight)
        for (replica, state) in breakers.enumerated() {
            guard let state else { continue }
            let value: Int
            switch state {
            case .closed: value = 0
            case .halfOpen: value = 1
            case .open: value = 2
            }
            stats.gauge("mcp_proxy_breaker_state", help: "Circuit breaker state: 0 closed, 1 half-open, 2 open",
                        labels: ["upstream": upstream, "replica": "\(replica)"]).set(value)
        }
    }
}
