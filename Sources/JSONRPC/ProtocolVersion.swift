/// An MCP protocol version (a date string such as `2025-11-25`), ordered by date.
public struct ProtocolVersion: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The version string as sent.
    public var rawValue: String

    /// Wraps any version string.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The first published revision: stdio and HTTP+SSE.
    public static let v2024_11_05 = ProtocolVersion(rawValue: "2024-11-05")
    /// Streamable HTTP, OAuth; the only revision with JSON-RPC batches.
    public static let v2025_03_26 = ProtocolVersion(rawValue: "2025-03-26")
    /// Structured tool output, elicitation, `MCP-Protocol-Version` header; batches removed.
    public static let v2025_06_18 = ProtocolVersion(rawValue: "2025-06-18")
    /// Tasks, URL elicitation, icons, sampling with tools: the last handshake revision.
    public static let v2025_11_25 = ProtocolVersion(rawValue: "2025-11-25")
    /// Stateless: no `initialize`, no sessions, `server/discover`.
    public static let v2026_07_28 = ProtocolVersion(rawValue: "2026-07-28")

    /// The revisions that use the `initialize` handshake, oldest first.
    public static let handshakeEra: [ProtocolVersion] = [.v2024_11_05, .v2025_03_26, .v2025_06_18, .v2025_11_25]
    /// The newest handshake revision.
    public static let latestHandshake: ProtocolVersion = .v2025_11_25

    /// The server side of negotiation: echo `requested` if it is in `supported`, else the newest of
    /// `supported` (or `latestHandshake` if `supported` is empty).
    public static func negotiate(requested: String, supported: [ProtocolVersion]) -> ProtocolVersion {
        if let match = supported.first(where: { $0.rawValue == requested }) {
            return match
        }
        return supported.max() ?? latestHandshake
    }

    /// True only for 2025-03-26, the one revision in which peers must accept JSON-RPC batches.
    public var acceptsBatches: Bool {
        self == .v2025_03_26
    }

    /// True for revisions that use `initialize` (up to 2025-11-25).
    public var usesHandshake: Bool {
        self <= .v2025_11_25
    }

    /// Orders by the date string.
    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Decodes a plain string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes a plain string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The version string.
    public var description: String { rawValue }
}
