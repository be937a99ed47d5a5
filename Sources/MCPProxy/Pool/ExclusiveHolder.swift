import MCPPool

/// A client session holding an upstream session exclusively (`pool.serverRequests: lease`), so
/// that what the upstream asks there reaches that client.
///
/// The client's other requests ride on the same lease (``riders``) instead of waiting for one
/// of their own. The lease is given back to the pool only when the call that took it *and* every
/// rider have ended: until then the upstream may still ask on behalf of a rider, and a lease
/// handed to another client meanwhile would send that question to the wrong client.
struct ExclusiveHolder {
    let session: ProxySession
    let lease: PoolLease<UpstreamConnection>
    let backend: UpstreamBackend
    /// Requests of the same client riding on the lease, not ended yet.
    var riders = 0
    /// The call that took the lease has ended; the lease goes back when the last rider ends.
    var ownerEnded = false
}
