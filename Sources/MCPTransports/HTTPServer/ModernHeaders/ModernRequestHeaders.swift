/// The 2026-07-28 routing headers of one POST, read once from its raw header lines: names are
/// matched case-insensitively, values are kept as received (still encoded) minus the surrounding
/// spaces and tabs RFC 9110 excludes from a field value (NIO's parser drops only the leading
/// ones), and duplicates stay visible (a folded map would hide them, and first-copy and last-copy readers
/// could then be told different things).
public struct ModernRequestHeaders: Sendable, Equatable {
    /// `MCP-Protocol-Version`.
    public static let protocolVersionName = "MCP-Protocol-Version"
    /// `Mcp-Method`.
    public static let methodName = "Mcp-Method"
    /// `Mcp-Name`.
    public static let nameName = "Mcp-Name"
    /// `Mcp-Param-`, the prefix the `x-mcp-header` token is joined to.
    public static let paramPrefix = "Mcp-Param-"

    /// One `Mcp-Param-*` header line as received.
    public struct Param: Sendable, Equatable {
        /// The whole header name as received, e.g. `mcp-param-region`.
        public var name: String
        /// The part after the prefix, as received, e.g. `region`.
        public var token: String
        /// The raw value (possibly a base64 sentinel).
        public var value: String

        /// Creates a parameter header line.
        public init(name: String, token: String, value: String) {
            self.name = name
            self.token = token
            self.value = value
        }
    }

    /// The first `MCP-Protocol-Version` value, if any.
    public var protocolVersion: String?
    /// The first `Mcp-Method` value, if any.
    public var method: String?
    /// The first `Mcp-Name` value as received (decode it with `MCPHeaderValue.decode`).
    public var name: String?
    /// Every `Mcp-Param-*` line, in order (duplicates included).
    public var params: [Param]
    /// The lowercase name of the first routing header (`mcp-protocol-version`, `mcp-method`,
    /// `mcp-name`) that appears more than once, if any.
    public var duplicatedRoutingHeader: String?

    /// Creates headers from parts (tests and callers that already hold them).
    public init(
        protocolVersion: String? = nil, method: String? = nil, name: String? = nil,
        params: [Param] = [], duplicatedRoutingHeader: String? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.method = method
        self.name = name
        self.params = params
        self.duplicatedRoutingHeader = duplicatedRoutingHeader
    }

    /// Reads raw header lines, e.g. NIO's `HTTPHeaders` or `[(name:, value:)]`.
    public init<Lines: Sequence>(_ lines: Lines) where Lines.Element == (name: String, value: String) {
        self.init()
        var seen: (version: Bool, method: Bool, name: Bool) = (false, false, false)
        for (name, raw) in lines {
            let utf8 = name.utf8
            // Cheap pre-filter: every header of interest starts with "mcp-" in some case.
            guard utf8.count >= 8, Self.hasPrefix(utf8, "mcp-") else { continue }
            let value = Self.fieldValue(raw)
            if Self.equalsIgnoringCase(utf8, "mcp-protocol-version") {
                note(&seen.version, "mcp-protocol-version")
                if protocolVersion == nil { protocolVersion = value }
            } else if Self.equalsIgnoringCase(utf8, "mcp-method") {
                note(&seen.method, "mcp-method")
                if method == nil { method = value }
            } else if Self.equalsIgnoringCase(utf8, "mcp-name") {
                note(&seen.name, "mcp-name")
                if self.name == nil { self.name = value }
            } else if utf8.count > 10, Self.hasPrefix(utf8, "mcp-param-") {
                let token = String(decoding: utf8.dropFirst(10), as: UTF8.self)
                params.append(Param(name: name, token: token, value: value))
            }
        }
    }

    private mutating func note(_ seen: inout Bool, _ lowercaseName: String) {
        if seen, duplicatedRoutingHeader == nil { duplicatedRoutingHeader = lowercaseName }
        seen = true
    }

    /// The raw values of `Mcp-Param-<token>` (token compared case-insensitively), in order.
    public func paramValues(token: String) -> [String] {
        params.filter { Self.equalsIgnoringCase($0.token.utf8, token) }.map(\.value)
    }

    /// The `Mcp-Param-*` lines whose token is not annotated in `annotations` (case-insensitively):
    /// an intermediary MUST forward these unchanged to the upstream.
    public func unrecognizedParams(_ annotations: XMCPHeaderAnnotations) -> [Param] {
        params.filter { param in
            !annotations.entries.contains { Self.equalsIgnoringCase($0.token.utf8, param.token) }
        }
    }

    /// `raw` without leading and trailing spaces and tabs (RFC 9110 section 5.5); no copy when
    /// there are none.
    static func fieldValue(_ raw: String) -> String {
        let utf8 = raw.utf8
        func isEdge(_ byte: UInt8?) -> Bool { byte == 0x20 || byte == 0x09 }
        guard isEdge(utf8.first) || isEdge(utf8.last) else { return raw }
        return String(raw.httpTrimmed)
    }

    /// ASCII case-insensitive equality of `text` with `other`.
    static func equalsIgnoringCase(_ text: String.UTF8View, _ other: String) -> Bool {
        let other = other.utf8
        return text.count == other.count && zip(text, other).allSatisfy { lower($0) == lower($1) }
    }

    private static func hasPrefix(_ text: String.UTF8View, _ lowercasePrefix: StaticString) -> Bool {
        let prefix = UnsafeBufferPointer(start: lowercasePrefix.utf8Start, count: lowercasePrefix.utf8CodeUnitCount)
        return text.count >= prefix.count && zip(text, prefix).allSatisfy { lower($0) == $1 }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
