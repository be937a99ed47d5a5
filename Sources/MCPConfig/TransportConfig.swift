/// How the proxy reaches an upstream server.
public enum TransportConfig: Sendable, Equatable {
    /// A child process speaking MCP over its stdin and stdout.
    ///
    /// - `command`: the program; a bare name is looked up on `PATH`.
    /// - `arguments`: its arguments, already `${VAR}`-expanded.
    /// - `environment`: the `env` map from the file, already expanded. See
    ///   ``childEnvironment(parent:)`` for the full environment the child should get.
    /// - `inheritEnvironment`: whether the child also gets the proxy's environment.
    /// - `workingDirectory`: the child's working directory, or `nil` for the proxy's own.
    case stdio(command: String, arguments: [String], environment: [String: String], inheritEnvironment: Bool, workingDirectory: String?)
    /// A server reached over the network at `url` (http, https, ws or wss).
    case remote(url: String, kind: RemoteKind, headers: [String: String])

    /// The complete environment for a stdio child, given the proxy's own environment `parent`.
    ///
    /// With `inheritEnvironment` the child gets `parent` overlaid with the configured `env`.
    /// Without it the child gets only `PATH` from `parent` (so bare command names still resolve)
    /// overlaid with the configured `env`. Returns `nil` for remote transports.
    public func childEnvironment(parent: [String: String]) -> [String: String]? {
        guard case let .stdio(_, _, environment, inherit, _) = self else { return nil }
        var result: [String: String]
        if inherit {
            result = parent
        } else {
            result = [:]
            if let path = parent["PATH"] { result["PATH"] = path }
        }
        result.merge(environment) { _, configured in configured }
        return result
    }
}

/// The wire protocol of a remote upstream.
public enum RemoteKind: String, Sendable, Equatable, CaseIterable {
    /// MCP Streamable HTTP (one endpoint, POST plus optional SSE streams). `type: http` or
    /// `type: streamable-http`.
    case streamableHTTP = "streamable-http"
    /// The legacy HTTP+SSE transport (2024-11-05): a GET event stream plus a POST endpoint.
    /// `type: sse`.
    case sse
    /// JSON-RPC messages over a WebSocket. `type: ws`.
    case webSocket = "ws"
}
