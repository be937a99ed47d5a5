import JSONRPC

/// What the proxy declares to an upstream in `initialize`.
struct UpstreamHandshake: Sendable {
    let initializeParams: [UInt8]
    let supportedVersions: [ProtocolVersion]

    /// The proxy's `initialize` with these client capabilities; `title` names who it is for.
    static func make(capabilities: [String: JSONValue], title: String?, options: ProxyOptions) -> UpstreamHandshake {
        var clientInfo: [String: JSONValue] = [
            "name": .string(options.serverName),
            "version": .string(options.serverVersion),
        ]
        if let title { clientInfo["title"] = .string(title) }
        let initialize: JSONValue = .object([
            "protocolVersion": .string(ProtocolVersion.latestHandshake.rawValue),
            "capabilities": .object(capabilities),
            "clientInfo": .object(clientInfo),
        ])
        return UpstreamHandshake(initializeParams: initialize.encoded, supportedVersions: options.supportedVersions)
    }
}
