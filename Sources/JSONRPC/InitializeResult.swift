/// The result of an `initialize` request.
public struct InitializeResult: Codable, Sendable, Equatable {
    /// The version the server chose.
    public var protocolVersion: String
    /// What the server offers.
    public var capabilities: ServerCapabilities
    /// Who the server is.
    public var serverInfo: Implementation
    /// Optional hint for the model on how to use the server.
    public var instructions: String?

    /// Creates an initialize result.
    public init(
        protocolVersion: String, capabilities: ServerCapabilities, serverInfo: Implementation, instructions: String? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.capabilities = capabilities
        self.serverInfo = serverInfo
        self.instructions = instructions
    }
}
