import JSONRPC

/// The result of starting one upstream and completing its handshake.
public struct UpstreamProbeResult: Sendable, Equatable {
    /// The upstream's configured name.
    public var upstream: String
    /// Whether it started and answered `initialize`.
    public var ready: Bool
    /// Its serverInfo when ready, or what went wrong.
    public var detail: String
}

extension MCPProxy {
    /// Starts every upstream, performs the handshake (declaring no client capabilities), and stops
    /// it again. Used by readiness checks: it proves each upstream can start and speak MCP now.
    public func probeUpstreams() async -> [UpstreamProbeResult] {
        let scanner = JSONRPCScanner(limits: options.scanLimits)
        let handshake = UpstreamHandshake(
            initializeParams: JSONValue.object([
                "protocolVersion": .string(ProtocolVersion.latestHandshake.rawValue),
                "capabilities": .object([:]),
                "clientInfo": .object(["name": .string(options.serverName), "version": .string(options.serverVersion), "title": .string("readiness probe")]),
            ]).encoded,
            supportedVersions: options.supportedVersions)
        return await withTaskGroup(of: (Int, UpstreamProbeResult).self) { group in
            for (index, definition) in upstreams.enumerated() {
                group.addTask {
                    let connection = UpstreamConnection(definition: definition, index: index, scanner: scanner, logger: self.logger)
                    let outcome = await connection.ensureReady(handshake: handshake, timeout: self.options.initializeTimeout)
                    await connection.shutdown()
                    switch outcome {
                    case .success(let result):
                        return (index, UpstreamProbeResult(upstream: definition.name, ready: true, detail: "\(result.serverInfo.name) \(result.serverInfo.version), protocol \(result.protocolVersion)"))
                    case .failure(let error):
                        return (index, UpstreamProbeResult(upstream: definition.name, ready: false, detail: error.message))
                    }
                }
            }
            var results: [(Int, UpstreamProbeResult)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
