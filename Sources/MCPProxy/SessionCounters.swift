import MCPStats

/// Counters a session keeps for the whole proxy.
struct SessionCounters: Sendable {
    let received: Counter
    let rejected: Counter
    let errorsSent: Counter

    init(stats: StatsRegistry) {
        received = stats.counter("mcp_proxy_client_messages_total", help: "Messages received from clients")
        rejected = stats.counter("mcp_proxy_client_rejected_total", help: "Client messages rejected as malformed or oversized")
        errorsSent = stats.counter("mcp_proxy_error_responses_total", help: "Error responses the proxy itself sent to clients")
    }
}
