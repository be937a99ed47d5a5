import JSONRPC
import Logging

extension UpstreamDefinition {
    /// Starts this upstream on its own (outside any proxy or pool, like `mcp-proxy check`),
    /// completes the handshake, lists its tools following every page, and stops it again.
    /// Returns each tool object as the upstream lists it, for `mcp-proxy pins`.
    ///
    /// - Parameters:
    ///   - options: the client name and protocol versions to introduce the proxy with, and the
    ///     message limits.
    ///   - timeout: how long the handshake, and then each page, may take.
    public func listTools(options: ProxyOptions = ProxyOptions(), timeout: Duration, logger: Logger) async -> Result<[JSONValue], UpstreamError> {
        let connection = UpstreamConnection(
            definition: self, index: 0, replica: 0, scanner: JSONRPCScanner(limits: options.scanLimits), logger: logger)
        let result = await Self.listTools(on: connection, options: options, timeout: timeout)
        await connection.shutdown()
        return result
    }

    private static func listTools(on connection: UpstreamConnection, options: ProxyOptions, timeout: Duration) async -> Result<[JSONValue], UpstreamError> {
        if case .failure(let error) = await connection.launch() { return .failure(error) }
        let handshake = UpstreamHandshake.make(capabilities: [:], title: "mcp-proxy pins", options: options)
        let capabilities: ServerCapabilities
        switch await connection.ensureReady(handshake: handshake, timeout: timeout) {
        case .failure(let error): return .failure(error)
        case .success(let result): capabilities = result.capabilities
        }
        guard ListKind.tools.isOffered(by: capabilities) else { return .success([]) }
        var tools: [JSONValue] = []
        var cursor: String?
        var seen: Set<String> = []
        for _ in 0..<1000 {
            let params: [UInt8]? = cursor.map { Array(#"{"cursor":"#.utf8) + JSONString.encode($0) + [UInt8(ascii: "}")] }
            let response: JSONRPCMessage
            switch await connection.request(method: ListKind.tools.method, params: params, timeout: timeout) {
            case .failure(let error): return .failure(error)
            case .success(let message): response = message
            }
            guard let range = response.envelope.resultRange,
                  let items = JSONView(message: response, range: range)["tools"], items.kind == .array else {
                return .failure(UpstreamError(.protocolViolation, upstream: connection.name, message: "tools/list answered without a tools array"))
            }
            for element in items.elements where element.kind == .object && element["name"]?.string != nil {
                tools.append(JSONValue(element))
            }
            cursor = JSONView(message: response, range: range)["nextCursor"]?.string
            guard let next = cursor else { return .success(tools) }
            guard seen.insert(next).inserted else {
                return .failure(UpstreamError(.protocolViolation, upstream: connection.name, message: "tools/list returned the cursor '\(next)' twice (its pagination loops)"))
            }
        }
        return .failure(UpstreamError(.protocolViolation, upstream: connection.name, message: "tools/list returned more than 1000 pages"))
    }
}
