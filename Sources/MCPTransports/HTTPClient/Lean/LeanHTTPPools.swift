import NIOConcurrencyHelpers
import NIOSSL

/// The lean clients of a `SharedHTTPClient`: one `LeanHTTPPool` per origin, TLS settings and
/// connect timeout, so that the transports of many client sessions to one upstream (per-session
/// mode, or a pool of upstream sessions) share keep-alive connections, as they share
/// AsyncHTTPClient's pool.
final class LeanHTTPPools: Sendable {
    private struct Key: Hashable {
        var scheme: String
        var host: String
        var port: Int
        var tls: TLSClientSettings?
        var connectTimeout: Duration
    }

    private let pools = NIOLockedValueBox<(closed: Bool, byKey: [Key: LeanHTTPPool])>((false, [:]))
    private let maxConnections: Int

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    /// The pool for `url` (made on first use); nil once closed.
    func pool(
        for url: RemoteURL, settings: TLSClientSettings?, tls: TLSConfiguration?, connectTimeout: Duration, loops: ClientEventLoops
    ) throws(TransportError) -> LeanHTTPPool? {
        let key = Key(scheme: url.scheme, host: url.host, port: url.effectivePort, tls: settings, connectTimeout: connectTimeout)
        if let found = pools.withLockedValue({ $0.closed ? nil : $0.byKey[key] }) { return found }
        let made = try LeanHTTPPool(url: url, tls: tls, connectTimeout: connectTimeout, maxConnections: maxConnections, loops: loops)
        return pools.withLockedValue { state -> LeanHTTPPool? in
            guard !state.closed else { return nil }
            if let raced = state.byKey[key] { return raced }
            state.byKey[key] = made
            return made
        }
    }

    /// Closes every pool's idle connections; later transports get none.
    func close() {
        let all = pools.withLockedValue { state -> [LeanHTTPPool] in
            state.closed = true
            defer { state.byKey.removeAll() }
            return Array(state.byKey.values)
        }
        for pool in all { pool.close() }
    }
}
