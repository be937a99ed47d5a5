/// Which tools an approval covers: all, one server's, or one tool (`SERVER[/TOOL]`).
public struct PinSelector: Sendable, Equatable, CustomStringConvertible {
    /// The server; nil covers every server.
    public var server: String?
    /// The tool as the server lists it; nil covers every tool of `server`.
    public var tool: String?

    /// Every tool of every server.
    public static let all = PinSelector(server: nil, tool: nil)

    /// Creates a selector.
    public init(server: String?, tool: String?) {
        self.server = server
        self.tool = server == nil ? nil : tool
    }

    /// Parses `SERVER` or `SERVER/TOOL` (the tool is everything after the first `/`); nil or an
    /// empty string covers everything.
    public init(parsing text: String?) {
        guard let text, !text.isEmpty else {
            self = .all
            return
        }
        if let slash = text.firstIndex(of: "/") {
            let tool = String(text[text.index(after: slash)...])
            self.init(server: String(text[..<slash]), tool: tool.isEmpty ? nil : tool)
        } else {
            self.init(server: text, tool: nil)
        }
    }

    /// Whether it covers `tool` of `server`.
    public func covers(server: String, tool: String) -> Bool {
        (self.server == nil || self.server == server) && (self.tool == nil || self.tool == tool)
    }

    /// `SERVER/TOOL`, `SERVER` or `*`.
    public var description: String {
        guard let server else { return "*" }
        return tool.map { "\(server)/\($0)" } ?? server
    }
}
