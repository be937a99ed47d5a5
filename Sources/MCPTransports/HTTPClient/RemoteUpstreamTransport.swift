import AsyncHTTPClient
import Logging

/// Makes the transport for a remote upstream from its configuration.
public enum RemoteUpstreamTransport {
    /// A transport of `configuration.kind`; `.automatic` gives one that probes with the first
    /// `initialize` (Streamable HTTP, falling back to legacy HTTP+SSE on 400, 404 or 405) and then
    /// behaves as the one chosen. Pass `httpClient` to share one client between upstreams.
    public static func make(
        name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, httpClient: HTTPClient? = nil
    ) -> any MessageTransport {
        switch configuration.kind {
        case .streamableHTTP:
            return StreamableHTTPClientTransport(name: name, configuration: configuration, logger: logger, httpClient: httpClient)
        case .legacySSE:
            return LegacySSEClientTransport(name: name, configuration: configuration, logger: logger, httpClient: httpClient)
        case .webSocket:
            return WebSocketClientTransport(name: name, configuration: configuration, logger: logger, httpClient: httpClient)
        case .automatic:
            return AutomaticUpstreamTransport(name: name, configuration: configuration, logger: logger, httpClient: httpClient)
        }
    }

    /// A transport of `configuration.kind` that sends through `shared` (nil: a client of its own).
    public static func make(
        name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, shared: SharedHTTPClient?
    ) -> any MessageTransport {
        switch configuration.kind {
        case .streamableHTTP:
            return StreamableHTTPClientTransport(
                name: name, configuration: configuration, logger: logger, httpClient: shared?.client, probe: nil, leanPools: shared?.leanPools)
        case .automatic:
            return AutomaticUpstreamTransport(
                name: name, configuration: configuration, logger: logger, httpClient: shared?.client, leanPools: shared?.leanPools)
        case .legacySSE, .webSocket:
            return make(name: name, configuration: configuration, logger: logger, httpClient: shared?.client)
        }
    }
}
