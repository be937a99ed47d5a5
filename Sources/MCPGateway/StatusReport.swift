import Foundation
import MCPProxy
import MCPStats
import MCPTransports
import Synchronization

/// `GET /status.json` on the admin listener: what the status page (`GET /`) shows, as JSON.
///
/// Computed on each request from what the gateway already keeps: the request series of the
/// ``StatsRegistry`` (counts, failures, latency histograms), each upstream's pool state
/// (``MCPProxy/upstreamStatus()``), the front's session count and the registry's recent errors.
/// Rates compare the counts with an earlier reading kept by a ``StatusRateTracker``.
struct StatusReport: Codable, Sendable {
    struct Server: Codable, Sendable {
        /// `proxy.name` and `proxy.version` of the current configuration.
        var name: String
        var version: String
        /// The mcp-proxy build.
        var proxyVersion: String
        var uptimeSeconds: Double
        /// Seconds since 1970 (wall clock) when this report was made.
        var time: Double
    }

    struct Totals: Codable, Sendable {
        var requests: Int
        /// Requests that failed: JSON-RPC errors, timeouts and unavailable upstreams (cancelled
        /// requests are not failures).
        var errors: Int
        /// Requests per second over the rate window (nil: no earlier reading yet).
        var rate: Double?
        var errorRate: Double?
        /// Failures recorded since the start (the recent errors keep the last 50).
        var failuresRecorded: Int
    }

    /// One (method, tool) series of an upstream that has served requests (busiest first).
    struct Series: Codable, Sendable {
        var method: String
        var tool: String?
        var requests: Int
        var errors: Int
        var rate: Double?
        var p50Ms: Double?
        var p99Ms: Double?
    }

    struct Upstream: Codable, Sendable {
        var name: String
        /// `shared` or `perSession`; `removed` for an upstream only the counters still know.
        var mode: String
        /// `up`, `starting`, `restarting`, `breaker-open`, `unavailable`, `drained`, `idle`
        /// (see ``UpstreamStatus/state``), or `removed`.
        var state: String
        var ready: Bool
        /// Upstream sessions open (per-session: children across client sessions).
        var sessions: Int
        var opening: Int
        var busy: Int
        var waiting: Int
        var breaker: String?
        var detail: String
        var requests: Int
        var errors: Int
        var timeouts: Int
        var unavailable: Int
        var cancelled: Int
        var rate: Double?
        var p50Ms: Double?
        var p99Ms: Double?
        var series: [Series]
    }

    var server: Server
    /// Client sessions open on the HTTP front.
    var clientSessions: Int
    /// Connections open on the HTTP front.
    var connections: Int
    /// Seconds between the earlier reading and this one (nil: none yet).
    var rateWindowSeconds: Double?
    var totals: Totals
    var upstreams: [Upstream]
    /// Newest first, at most ``RecentErrors/capacity``.
    var recentErrors: [RecentError]

    /// Reads everything now.
    static func make(_ context: AdminContext) -> StatusReport {
        let now = ContinuousClock.now
        let snapshot = context.stats.snapshot()
        let latency = context.stats.latencyByUpstream()
        let tracker = StatusRateTracker.tracker(for: context.stats)
        var counts: [String: StatusRateTracker.Counts] = [:]
        for series in snapshot.requests {
            let failures = series.errors + series.timeouts + series.unavailable
            counts[StatusRateTracker.key(series.upstream, series.method, series.tool), default: .init()].add(series.count, failures)
            counts[StatusRateTracker.key(series.upstream), default: .init()].add(series.count, failures)
            counts[StatusRateTracker.totalKey, default: .init()].add(series.count, failures)
        }
        let (window, earlier) = tracker.compare(counts, at: now)
        func rate(_ key: String) -> (Double?, Double?) {
            guard let window, window > 0 else { return (nil, nil) }
            let current = counts[key] ?? .init()
            let before = earlier[key] ?? .init()
            return (Double(max(current.requests - before.requests, 0)) / window, Double(max(current.failures - before.failures, 0)) / window)
        }

        let generation = context.current
        let statuses = generation?.aggregated.upstreamStatus() ?? []
        var byUpstream: [String: [RequestSeriesSnapshot]] = [:]
        for series in snapshot.requests { byUpstream[series.upstream, default: []].append(series) }

        func upstream(_ name: String, status: UpstreamStatus?) -> Upstream {
            let series = byUpstream[name] ?? []
            let summary = latency[name]
            return Upstream(
                name: name, mode: status?.mode ?? "removed", state: status?.state ?? "removed", ready: status?.ready ?? false,
                sessions: status?.sessions ?? 0, opening: status?.opening ?? 0, busy: status?.busy ?? 0, waiting: status?.waiting ?? 0,
                breaker: status?.breaker, detail: status?.detail ?? "no longer in the configuration (counts since the start)",
                requests: series.reduce(0) { $0 + $1.count },
                errors: series.reduce(0) { $0 + $1.errors + $1.timeouts + $1.unavailable },
                timeouts: series.reduce(0) { $0 + $1.timeouts },
                unavailable: series.reduce(0) { $0 + $1.unavailable },
                cancelled: series.reduce(0) { $0 + $1.cancelled },
                rate: rate(StatusRateTracker.key(name)).0,
                p50Ms: summary.map { milliseconds($0.p50Nanoseconds) }, p99Ms: summary.map { milliseconds($0.p99Nanoseconds) },
                series: series.filter { $0.count > 0 }.sorted { $0.count > $1.count }.map { item in
                    Series(method: item.method, tool: item.tool, requests: item.count,
                           errors: item.errors + item.timeouts + item.unavailable,
                           rate: rate(StatusRateTracker.key(item.upstream, item.method, item.tool)).0,
                           p50Ms: item.latency.count > 0 ? milliseconds(item.latency.p50Nanoseconds) : nil,
                           p99Ms: item.latency.count > 0 ? milliseconds(item.latency.p99Nanoseconds) : nil)
                })
        }

        var upstreams = statuses.map { upstream($0.upstream, status: $0) }
        let configured = Set(statuses.map(\.upstream))
        for name in byUpstream.keys.sorted() where !configured.contains(name) {
            upstreams.append(upstream(name, status: nil))
        }
        let total = counts[StatusRateTracker.totalKey] ?? .init()
        let totalRates = rate(StatusRateTracker.totalKey)
        let settings = generation?.config.proxy
        return StatusReport(
            server: Server(name: settings?.name ?? "mcp-proxy", version: settings?.version ?? MCPProxyVersion.current,
                           proxyVersion: MCPProxyVersion.current, uptimeSeconds: ProcessUptime.seconds(),
                           time: RecentErrors.wallClockNow()),
            clientSessions: context.server.sessionCount,
            connections: context.server.connectionStatistics.open,
            rateWindowSeconds: window,
            totals: Totals(requests: total.requests, errors: total.failures, rate: totalRates.0, errorRate: totalRates.1,
                           failuresRecorded: context.stats.recentErrors.total),
            upstreams: upstreams,
            recentErrors: context.stats.recentErrors.entries())
    }

    /// The report as JSON.
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return #"{"error":"could not encode the status"}"# }
        return String(decoding: data, as: UTF8.self)
    }

    /// `/` (the page) or `/status.json`.
    static func answer(path: String, context: AdminContext) -> AdminResponse {
        let headers = [(name: "cache-control", value: "no-store")]
        if path == "/status.json" {
            return AdminResponse(status: 200, contentType: "application/json", body: make(context).json() + "\n", headers: headers)
        }
        return AdminResponse(status: 200, contentType: "text/html; charset=utf-8", body: StatusPage.html,
                             headers: headers + [(name: "content-security-policy", value: StatusPage.contentSecurityPolicy)])
    }
}

private func milliseconds(_ nanoseconds: UInt64) -> Double {
    (Double(nanoseconds) / 1000).rounded() / 1000
}

/// Keeps earlier readings of the request counts so that `/status.json` can report rates.
///
/// Each report is compared with the newest reading at least 0.9 s old (or, right after the
/// start, the oldest one at least 0.2 s old), so any number of pages polling at any pace get a
/// rate over about a second rather than over the gap between two of their polls. A reading is
/// kept at most every 0.25 s; older ones are dropped once a newer one can serve.
final class StatusRateTracker: Sendable {
    struct Counts: Sendable {
        var requests = 0
        var failures = 0

        mutating func add(_ requests: Int, _ failures: Int) {
            self.requests += requests
            self.failures += failures
        }
    }

    private struct Reading: Sendable {
        let at: ContinuousClock.Instant
        let counts: [String: Counts]
    }

    static let totalKey = "\u{1}total"

    static func key(_ upstream: String, _ method: String? = nil, _ tool: String? = nil) -> String {
        guard let method else { return upstream }
        return upstream + "\u{0}" + method + "\u{0}" + (tool ?? "")
    }

    private let readings = Mutex<[Reading]>([])

    /// (seconds since the reading compared with, its counts); (nil, [:]) when there is none.
    func compare(_ counts: [String: Counts], at now: ContinuousClock.Instant) -> (Double?, [String: Counts]) {
        readings.withLock { readings in
            var baseline: Int?
            if let index = readings.lastIndex(where: { now - $0.at >= .milliseconds(900) }) {
                readings.removeFirst(index)  // never a baseline again: this one is newer
                baseline = 0
            } else if let index = readings.firstIndex(where: { now - $0.at >= .milliseconds(200) }) {
                baseline = index
            }
            let result: (Double?, [String: Counts])
            if let baseline {
                let earlier = readings[baseline]
                let elapsed = now - earlier.at
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                result = (seconds, earlier.counts)
            } else {
                result = (nil, [:])
            }
            if readings.last.map({ now - $0.at >= .milliseconds(250) }) ?? true {
                readings.append(Reading(at: now, counts: counts))
            }
            return result
        }
    }

    // MARK: One tracker per registry

    private struct Entry {
        weak var registry: StatsRegistry?
        let tracker: StatusRateTracker
    }

    private static let trackers = Mutex<[Entry]>([])

    /// The tracker of `registry` (one per gateway, as each has its own registry).
    static func tracker(for registry: StatsRegistry) -> StatusRateTracker {
        trackers.withLock { entries in
            entries.removeAll { $0.registry == nil }
            if let found = entries.first(where: { $0.registry === registry }) { return found.tracker }
            let created = StatusRateTracker()
            entries.append(Entry(registry: registry, tracker: created))
            return created
        }
    }
}

/// How long this process has run.
enum ProcessUptime {
    private static let fallbackStart = ContinuousClock.now

    /// Seconds since the process started (Linux: from /proc; elsewhere since first asked).
    static func seconds() -> Double {
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")"),
           let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
           let systemUp = uptime.split(separator: " ").first.flatMap({ Double($0) }) {
            // Fields after the command name; starttime is field 22 overall, 20th after ")".
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            if fields.count > 19, let start = Double(fields[19]), ticks > 0 {
                return max(0, systemUp - start / ticks)
            }
        }
        #endif
        let elapsed = ContinuousClock.now - fallbackStart
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
