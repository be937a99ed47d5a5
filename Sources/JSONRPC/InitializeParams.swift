/// The params of an `initialize` request.
public struct InitializeParams: Codable, Sendable, Equatable {
    /// The newest version the client supports.
    public var protocolVersion: String
    /// What the client offers.
    public var capabilities: ClientCapabilities
    /// Who the client is.
    public var clientInfo: Implementation

    /// Creates initialize params.
    public init(protocolVersion: String, capabilities: ClientCapabilities, clientInfo: Implementation) {
        self.protocolVersion = protocolVersion
        self.capabilities = capabilities
        self.clientInfo = clientInfo
    }
}
