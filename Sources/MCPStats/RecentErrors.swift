#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Histogram
import Synchronization

/// One failed request, as the status page lists it.
public struct RecentError: Sendable, Equatable, Codable {
    /// When it ended: seconds since 1970-01-01 UTC (wall clock).
    public var time: Double
    /// The upstream it was sent to.
    public var upstream: String
    /// Its JSON-RPC method.
    public var method: String
    /// The tool, for `tools/call`.
    public var tool: String?
    /// How it ended: `error`, `timeout`, `upstream_unavailable` or `refused`.
    public var outcome: String
    /// The JSON-RPC error code, when it ended with one.
    public var code: Int?
    /// What went wrong, in words.
    public var message: String
    /// How long it took.
    public var latencyNanoseconds: UInt64

    /// Creates an entry; `time` defaults to now.
    public init(
        time: Double = RecentErrors.wallClockNow(), upstream: String, method: String, tool: String?, outcome: String,
        code: Int?, message: String, latencyNanoseconds: UInt64
    ) {
        self.time = time
        self.upstream = upstream
        self.method = method
        self.tool = tool
        self.outcome = outcome
        self.code = code
        self.message = message
        self.latencyNanoseconds = latencyNanoseconds
    }
}

/// The last failed requests, newest kept: a bounded ring behind one mutex. Only failures are
/// recorded, so a successful request never touches it.
public final class RecentErrors: Sendable {
    /// Most entries kept; older ones are overwritten.
    public let capacity: Int

    private struct Ring {
        var entries: [RecentError] = []
        /// Where the next entry goes once the ring is full.
        var next = 0
        /// Failures recorded since the start (also those overwritten).
        var total = 0
    }

    private let ring = Mutex(Ring())

    /// Creates an empty ring of `capacity` entries (at least 1).
    public init(capacity: Int = 50) {
        self.capacity = max(capacity, 1)
    }

    /// Keeps `entry`, overwriting the oldest when full.
    public func record(_ entry: RecentError) {
        ring.withLock { ring in
            ring.total &+= 1
            if ring.entries.count < capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
                ring.next = (ring.next + 1) % capacity
            }
        }
    }

    /// The entries kept, newest first.
    public func entries() -> [RecentError] {
        let (entries, next) = ring.withLock { ($0.entries, $0.next) }
        // Oldest first is entries[next...] + entries[..<next] (when full; next is 0 until then).
        return Array((entries[next...] + entries[..<next]).reversed())
    }

    /// Failures recorded since the start, including those no longer kept.
    public var total: Int { ring.withLock { $0.total } }

    /// Seconds since 1970-01-01 UTC.
    public static func wallClockNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }
}

extension RequestSeries {
    /// Keeps a failed request of this series in the registry's ``StatsRegistry/recentErrors``
    /// (call it only for failures: successes are counted by ``record(latencyNanoseconds:outcome:)``
    /// alone).
    public func recordFailure(outcome: String, code: Int?, message: String, latencyNanoseconds: UInt64) {
        recentErrors?.record(RecentError(
            upstream: upstream, method: method, tool: tool, outcome: outcome, code: code, message: message,
            latencyNanoseconds: latencyNanoseconds))
    }
}

extension StatsRegistry {
    /// Each upstream's latency over all its series (every method and tool), merged from their
    /// histograms, keyed by upstream name.
    public func latencyByUpstream() -> [String: LatencySummary] {
        var merged: [String: SeriesState] = [:]
        for entry in read().series where entry.state.count > 0 {
            let upstream = entry.series.upstream
            if var total = merged[upstream] {
                total.histogram.add(entry.state.histogram)
                total.count += entry.state.count
                let (sum, overflow) = total.sumNanoseconds.addingReportingOverflow(entry.state.sumNanoseconds)
                total.sumNanoseconds = overflow ? .max : sum
                merged[upstream] = total
            } else {
                merged[upstream] = entry.state
            }
        }
        return merged.mapValues { $0.latencySummary() }
    }
}
