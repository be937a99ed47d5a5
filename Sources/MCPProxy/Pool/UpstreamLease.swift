import MCPPool

/// What one forwarded request holds of its upstream: a pooled session (shared or exclusive),
/// maybe the breaker's half-open probe, and maybe a bulkhead permit. Given back exactly once,
/// by ``UpstreamService/release(_:signal:)``.
struct UpstreamLease: Sendable {
    /// The replica the session belongs to.
    let backend: UpstreamBackend
    /// The pool's lease on the session.
    let pooled: PoolLease<UpstreamConnection>
    /// Whether this request is the breaker's half-open trial.
    let probe: Bool
    /// Whether it holds one of the upstream's `maxConcurrent` permits.
    let permit: Bool
    /// A request that rides on its own client's exclusive lease (the pool lease belongs to that
    /// lease's call, so this request gives back only its permit).
    var piggyback = false

    /// The upstream session.
    var connection: UpstreamConnection { pooled.connection }

    /// The same lease, now holding a bulkhead permit as well.
    func holdingPermit(_ holds: Bool) -> UpstreamLease {
        UpstreamLease(backend: backend, pooled: pooled, probe: probe, permit: holds, piggyback: piggyback)
    }
}
