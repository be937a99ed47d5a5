/// Name and version of an MCP client or server (`clientInfo` / `serverInfo`). Keys other than
/// name, version and title (description, icons, websiteUrl, ...) are kept in `extra`.
public struct Implementation: Codable, Sendable, Equatable {
    /// Programmatic name.
    public var name: String
    /// Version string.
    public var version: String
    /// Human-readable name (2025-06-18 and later).
    public var title: String?
    /// Every other key, preserved on encode.
    public var extra: [String: JSONValue]

    /// Creates an implementation description.
    public init(name: String, version: String, title: String? = nil) {
        self.init(name: name, version: version, title: title, extra: [:])
    }

    /// Creates an implementation description with extra keys.
    public init(name: String, version: String, title: String?, extra: [String: JSONValue]) {
        self.name = name
        self.version = version
        self.title = title
        self.extra = extra
    }

    /// Decodes; `name` and `version` are required strings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        name = try container.decode(String.self, forKey: AnyCodingKey("name"))
        version = try container.decode(String.self, forKey: AnyCodingKey("version"))
        title = try container.decodeIfPresent(String.self, forKey: AnyCodingKey("title"))
        var extra: [String: JSONValue] = [:]
        for key in container.allKeys where !["name", "version", "title"].contains(key.stringValue) {
            extra[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.extra = extra
    }

    /// Encodes name, version, title and the extra keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for (key, value) in extra where !["name", "version", "title"].contains(key) {
            try container.encode(value, forKey: AnyCodingKey(key))
        }
        try container.encode(name, forKey: AnyCodingKey("name"))
        try container.encode(version, forKey: AnyCodingKey("version"))
        try container.encodeIfPresent(title, forKey: AnyCodingKey("title"))
    }
}
