/// A client capability a request may need (for an `inputRequests` entry, or an extension):
/// what -32021 names in `data.requiredCapabilities`, and whether a declaration covers it.
public enum RequiredClientCapability: Sendable, Hashable {
    /// Form-mode elicitation: `{"elicitation":{"form":{}}}`.
    case elicitationForm
    /// URL-mode elicitation: `{"elicitation":{"url":{}}}`.
    case elicitationURL
    /// Sampling: `{"sampling":{}}`.
    case sampling
    /// Sampling with tools: `{"sampling":{"tools":{}}}`.
    case samplingTools
    /// Roots: `{"roots":{}}`.
    case roots
    /// An extension, by id: `{"extensions":{"<id>":{}}}`.
    case `extension`(String)

    /// The `requiredCapabilities` object as compact JSON.
    public var requiredCapabilitiesJSON: [UInt8] {
        switch self {
        case .elicitationForm: return Array(#"{"elicitation":{"form":{}}}"#.utf8)
        case .elicitationURL: return Array(#"{"elicitation":{"url":{}}}"#.utf8)
        case .sampling: return Array(#"{"sampling":{}}"#.utf8)
        case .samplingTools: return Array(#"{"sampling":{"tools":{}}}"#.utf8)
        case .roots: return Array(#"{"roots":{}}"#.utf8)
        case .extension(let identifier):
            var bytes: [UInt8] = Array(#"{"extensions":{"#.utf8)
            JSONString.append(identifier, to: &bytes)
            bytes += Array(#":{}}}"#.utf8)
            return bytes
        }
    }

    /// Words for messages, as the SDK writes them ("form elicitation", "sampling.tools", ...).
    public var displayName: String {
        switch self {
        case .elicitationForm: return "form elicitation"
        case .elicitationURL: return "url elicitation"
        case .sampling: return "sampling"
        case .samplingTools: return "sampling.tools"
        case .roots: return "roots"
        case .extension(let identifier): return "extension '\(identifier)'"
        }
    }

    /// Whether `capabilities` declares it. A bare `elicitation: {}` counts as form support (the
    /// SDK's rule); an extension counts when `extensions.<id>` is present.
    public func isDeclared(by capabilities: ClientCapabilities) -> Bool {
        switch self {
        case .elicitationForm: return capabilities.elicitationForm
        case .elicitationURL: return capabilities.elicitationURL
        case .sampling: return capabilities.sampling
        case .samplingTools: return capabilities.samplingTools
        case .roots: return capabilities.roots
        case .extension(let identifier):
            guard case .object(let declared)? = capabilities.raw["extensions"] else { return false }
            return declared[identifier] != nil
        }
    }

    /// The capability an MRTR input request needs, from its `method` (and, for elicitation,
    /// `params.mode`: `"url"` needs URL mode, anything else form mode); nil for unknown methods.
    public static func forInputRequest(method: String, elicitationMode: String? = nil) -> RequiredClientCapability? {
        switch method {
        case "elicitation/create": return elicitationMode == "url" ? .elicitationURL : .elicitationForm
        case "sampling/createMessage": return .sampling
        case "roots/list": return .roots
        default: return nil
        }
    }
}
