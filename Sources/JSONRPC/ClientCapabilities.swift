/// The capabilities a client declares in `initialize`. The object is open: `raw` holds all of it
/// and is what gets encoded, so unknown keys pass through unchanged.
public struct ClientCapabilities: Codable, Sendable, Equatable {
    /// The whole capabilities object.
    public var raw: [String: JSONValue]

    /// Wraps a capabilities object.
    public init(raw: [String: JSONValue] = [:]) {
        self.raw = raw
    }

    /// `roots` declared.
    public var roots: Bool { raw.declares("roots") }
    /// `roots.listChanged: true`.
    public var rootsListChanged: Bool { raw.flag("roots", "listChanged") }
    /// `sampling` declared.
    public var sampling: Bool { raw.declares("sampling") }
    /// `sampling.tools` declared: tool use inside sampling (2025-11-25).
    public var samplingTools: Bool { raw.declares("sampling", "tools") }
    /// `elicitation` declared (any mode).
    public var elicitation: Bool { raw.declares("elicitation") }
    /// Form-mode elicitation: `elicitation.form`, or an empty `elicitation: {}` (back-compatibility).
    public var elicitationForm: Bool {
        if case .object(let modes)? = raw["elicitation"], modes.isEmpty { return true }
        return raw.declares("elicitation", "form")
    }
    /// URL-mode elicitation: `elicitation.url` (2025-11-25).
    public var elicitationURL: Bool { raw.declares("elicitation", "url") }

    /// Decodes the object as is.
    public init(from decoder: any Decoder) throws {
        raw = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    /// Encodes `raw`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(raw)
    }
}
