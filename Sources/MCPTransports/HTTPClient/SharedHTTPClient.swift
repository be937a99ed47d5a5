import AsyncHTTPClient
import NIOPosix

/// One HTTP client for every remote upstream transport of a process, so that many sessions share
/// one connection pool per host instead of each opening its own.
///
/// Create it once, hand it to `RemoteUpstreamTransport.make`, and call `shutdown` once every
/// transport has closed (at exit). TLS settings apply per request, so upstreams with different
/// CAs or client certificates can share it. Its connect timeout is the one for all of them.
public final class SharedHTTPClient: Sendable {
    /// Connections kept per host: every client session's GET stream (and every request answered
    /// with an event stream) holds one while it lasts, so the bound sits far above the sessions a
    /// proxy serves; requests would otherwise queue behind long-lived streams.
    public static let connectionsPerHost = 8192

    /// The client the transports use for what the lean client leaves to it (GET streams, DELETE,
    /// redirects).
    public let client: HTTPClient
    /// The lean clients that carry the Streamable HTTP transports' POSTs, one per origin.
    let leanPools = LeanHTTPPools(maxConnections: SharedHTTPClient.connectionsPerHost)

    /// Creates the client on NIO's shared event loops.
    public init(connectTimeout: Duration = .seconds(10)) {
        client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: UpstreamHTTPRequests.clientConfiguration(
                connectTimeout: connectTimeout, connectionsPerHost: Self.connectionsPerHost))
    }

    /// Closes the pooled connections; every transport that uses the client must have closed.
    public func shutdown() async {
        leanPools.close()
        try? await client.shutdown()
    }
}
