import MCPPool

/// An initialized upstream session is what the pool pools.
extension UpstreamConnection: PooledConnection {
    var isUsable: Bool { isReady }

    func close() async { await shutdown() }
}
