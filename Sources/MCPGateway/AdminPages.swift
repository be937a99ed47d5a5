import Foundation
import MCPProxy
import MCPStats
import NIOConcurrencyHelpers

/// Readiness: every upstream starts and completes its handshake (probed at start and at most
/// every 30 seconds on demand), and the gateway is not draining.
final class Readiness: Sendable {
    /// The proxy new sessions get (it changes on reload); nil when there is none.
    private let proxy: @Sendable () -> MCPProxy?
    private let state = NIOLockedValueBox<(results: [UpstreamProbeResult]?, at: ContinuousClock.Instant?, draining: Bool, probing: Bool)>((nil, nil, false, false))

    init(proxy: @escaping @Sendable () -> MCPProxy?) {
        self.proxy = proxy
    }

    func refresh() async {
        let start = state.withLockedValue { state -> Bool in
            guard !state.probing else { return false }
            state.probing = true
            return true
        }
        guard start else { return }
        let results = await proxy()?.probeUpstreams() ?? []
        state.withLockedValue { state in
            state.results = results
            state.at = .now
            state.probing = false
        }
    }

    func markDraining() {
        state.withLockedValue { $0.draining = true }
    }

    /// (ready, JSON body); schedules a fresh probe when the last one is older than 30 s.
    func report() -> (Bool, String) {
        let (results, at, draining) = state.withLockedValue { ($0.results, $0.at, $0.draining) }
        if at.map({ ContinuousClock.now - $0 > .seconds(30) }) ?? false {
            Task { await refresh() }
        }
        guard !draining else { return (false, #"{"ready":false,"reason":"draining"}"#) }
        guard let results else { return (false, #"{"ready":false,"reason":"probing upstreams"}"#) }
        let ready = results.allSatisfy(\.ready)
        let items = results.map { result in
            #"{"upstream":\#(quoted(result.upstream)),"ready":\#(result.ready),"detail":\#(quoted(result.detail))}"#
        }
        return (ready, #"{"ready":\#(ready),"upstreams":[\#(items.joined(separator: ","))]}"#)
    }

    private func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// /healthz, /readyz, /metrics, /stats.
enum AdminPages {
    static func answer(method: String, path: String, stats: StatsRegistry, readiness: Readiness) -> (status: Int, contentType: String, body: String) {
        guard method == "GET" || method == "HEAD" else { return (405, "text/plain", "method not allowed\n") }
        switch path {
        case "/healthz":
            return (200, "text/plain", "ok\n")
        case "/readyz":
            let (ready, body) = readiness.report()
            return (ready ? 200 : 503, "application/json", body + "\n")
        case "/metrics":
            return (200, StatsRegistry.prometheusContentType, stats.prometheusText())
        case "/stats":
            return (200, StatsRegistry.jsonContentType, stats.jsonText() + "\n")
        default:
            return (404, "text/plain", "not found: try /healthz, /readyz, /metrics or /stats\n")
        }
    }
}
