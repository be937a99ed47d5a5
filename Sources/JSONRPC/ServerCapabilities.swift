/// The capabilities a server declares in its `initialize` result. The object is open: `raw`
/// holds all of it and is what gets encoded, so unknown keys pass through unchanged.
public struct ServerCapabilities: Codable, Sendable, Equatable {
    /// The whole capabilities object.
    public var raw: [String: JSONValue]

    /// Wraps a capabilities object.
    public init(raw: [String: JSONValue] = [:]) {
        self.raw = raw
    }

    /// `tools` declared.
    public var tools: Bool { raw.declares("tools") }
    /// `tools.listChanged: true`.
    public var toolsListChanged: Bool { raw.flag("tools", "listChanged") }
    /// `prompts` declared.
    public var prompts: Bool { raw.declares("prompts") }
    /// `prompts.listChanged: true`.
    public var promptsListChanged: Bool { raw.flag("prompts", "listChanged") }
    /// `resources` declared.
    public var resources: Bool { raw.declares("resources") }
    /// `resources.subscribe: true`.
    public var resourcesSubscribe: Bool { raw.flag("resources", "subscribe") }
    /// `resources.listChanged: true`.
    public var resourcesListChanged: Bool { raw.flag("resources", "listChanged") }
    /// `logging` declared.
    public var logging: Bool { raw.declares("logging") }
    /// `completions` declared.
    public var completions: Bool { raw.declares("completions") }

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
