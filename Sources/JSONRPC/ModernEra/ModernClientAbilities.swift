/// The client capabilities one 2026-07-28 request declares (in
/// `_meta["io.modelcontextprotocol/clientCapabilities"]`) that decide which input requests may
/// be put to the client during that request: a few bits, cheap to carry with the request.
public struct ModernClientAbilities: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `sampling`.
    public static let sampling = ModernClientAbilities(rawValue: 1 << 0)
    /// `sampling.tools`.
    public static let samplingTools = ModernClientAbilities(rawValue: 1 << 1)
    /// Form-mode elicitation (`elicitation.form`, or a bare `elicitation: {}`).
    public static let elicitationForm = ModernClientAbilities(rawValue: 1 << 2)
    /// URL-mode elicitation (`elicitation.url`).
    public static let elicitationURL = ModernClientAbilities(rawValue: 1 << 3)
    /// `roots`.
    public static let roots = ModernClientAbilities(rawValue: 1 << 4)

    /// What `capabilities` declares.
    public init(_ capabilities: ClientCapabilities) {
        var abilities: ModernClientAbilities = []
        if capabilities.sampling { abilities.insert(.sampling) }
        if capabilities.samplingTools { abilities.insert(.samplingTools) }
        if capabilities.elicitationForm { abilities.insert(.elicitationForm) }
        if capabilities.elicitationURL { abilities.insert(.elicitationURL) }
        if capabilities.roots { abilities.insert(.roots) }
        self = abilities
    }

    /// What the envelope of `message` declares; empty when it declares nothing or is not an object.
    public init(envelope: ModernEnvelope, in message: JSONRPCMessage) {
        guard let member = envelope.clientCapabilities, member.kind == .object,
              case .object(let raw) = JSONValue(JSONView(message: message, range: member.valueRange)) else {
            self = []
            return
        }
        self.init(ClientCapabilities(raw: raw))
    }

    /// Whether these abilities cover `capability` (extensions are never covered here).
    public func covers(_ capability: RequiredClientCapability) -> Bool {
        switch capability {
        case .sampling: return contains(.sampling)
        case .samplingTools: return contains(.samplingTools)
        case .elicitationForm: return contains(.elicitationForm)
        case .elicitationURL: return contains(.elicitationURL)
        case .roots: return contains(.roots)
        case .extension: return false
        }
    }
}
