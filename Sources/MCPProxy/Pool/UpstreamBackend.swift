import MCPPool
import MCPReliability
import Synchronization

/// One way to reach an upstream (its primary, or one of its replicas): a pool of upstream
/// sessions and the circuit breaker that guards them.
final class UpstreamBackend: Sendable {
    /// 0 for the primary, then the replicas in configured order.
    let replica: Int
    /// The upstream's name, with `#N` for replica N > 0 (logs, errors, stats).
    let label: String
    /// Its sessions.
    let pool: ConnectionPool<UpstreamConnection>
    /// Its breaker; nil when the policy has none.
    let breaker: CircuitBreaker?

    init(replica: Int, label: String, pool: ConnectionPool<UpstreamConnection>, breaker: CircuitBreaker?) {
        self.replica = replica
        self.label = label
        self.pool = pool
        self.breaker = breaker
    }

    /// Whether any of its sessions can take a request now.
    var hasUsableConnection: Bool { pool.statistics.usable > 0 }

    /// Why its last open failed; nil once one succeeded.
    let lastFailure = Mutex<UpstreamError?>(nil)

    /// Whether it cannot serve now: its breaker is open, or it has no usable session and its
    /// last open failed (it cannot start; the pool keeps trying in the background).
    var isDown: Bool {
        if breaker?.isOpen == true { return true }
        return !hasUsableConnection && lastFailure.withLock { $0 != nil }
    }
}
