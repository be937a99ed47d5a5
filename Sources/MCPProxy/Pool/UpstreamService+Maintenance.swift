import Foundation
import JSONRPC
import MCPReliability

/// The service's one background task: request deadlines, health pings on existing sessions,
/// idle eviction, the children's memory cap, and the pool gauges.
extension UpstreamService {
    /// How often deadlines are checked: often enough that a timeout fires within a fifth of
    /// itself (at most 0.5 s late).
    var tick: Duration {
        let shortest = ([options.requestTimeout, policy.timeout].compactMap { $0 } + policy.toolTimeouts.map(\.timeout)).min() ?? options.requestTimeout
        return max(.milliseconds(10), min(.milliseconds(500), shortest / 5))
    }

    func maintain() async {
        let tick = self.tick
        var sinceHealth: Duration = .zero
        while !Task.isCancelled, !isClosing {
            try? await Task.sleep(for: tick)
            if Task.isCancelled || isClosing { return }
            expireRequests()
            sinceHealth += tick
            if let health = policy.health, sinceHealth >= health.interval {
                sinceHealth = .zero
                checkHealth(health)
            }
            for backend in backends { backend.pool.evictIdle() }
            updateGauges()
        }
    }

    /// Fails forwarded requests whose deadline passed (each goes to its own client session).
    func expireRequests() {
        let now = MonotonicClock.now()
        for backend in backends {
            for connection in backend.pool.usableConnections {
                for (id, request) in connection.expire(now: now) {
                    request.owner.timedOut(request, id: id, upstream: connection, now: now)
                }
            }
        }
    }

    /// Pings every open session (never a new one); a session that does not answer in time, or
    /// whose child is over its memory cap, is restarted.
    private func checkHealth(_ health: UpstreamPolicy.HealthCheck) {
        for backend in backends {
            for connection in backend.pool.usableConnections {
                if policy.maxRSSBytes > 0, let pid = connection.processID, let rss = Self.residentBytes(of: pid), rss > policy.maxRSSBytes {
                    logger.warning("upstream child \(pid) uses \(rss / 1_048_576) MiB, over its cap of \(policy.maxRSSBytes / 1_048_576) MiB: restarting it")
                    metrics.memoryRestarts.increment()
                    Task { await connection.shutdown() }
                    continue
                }
                Task { [weak self] in
                    let result = await connection.request(method: "ping", params: Optional<[UInt8]>.none, timeout: health.timeout)
                    guard let self, case .failure(let error) = result, connection.isReady else { return }
                    if case .remote = error.kind { return }  // it answered: alive
                    self.metrics.healthFailures.increment()
                    self.logger.warning("health ping failed: \(error.message); restarting the upstream session")
                    backend.breaker?.record(.timeout)
                    await connection.shutdown()
                }
            }
        }
    }

    func updateGauges() {
        var open = 0, exclusive = 0, waiting = 0
        for backend in backends {
            let statistics = backend.pool.statistics
            open += statistics.open
            exclusive += statistics.exclusiveLeases
            waiting += statistics.waiting
        }
        metrics.update(open: open, exclusive: exclusive, waiting: waiting, inFlight: bulkhead?.inFlight ?? 0, breakers: backends.map { $0.breaker?.state })
    }

    /// A process's resident set size from /proc (Linux); nil elsewhere or when it is gone.
    static func residentBytes(of pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return nil }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
