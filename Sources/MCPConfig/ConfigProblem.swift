/// One thing wrong with a configuration file: where it is and what was expected instead.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file (or source name) the problem is in.
    public var file: String
    /// Where in the document, e.g. `mcpServers.time.args[1]`; empty for the whole document.
    /// Keys that are not plain identifiers are quoted: `mcpServers["my server"]`.
    public var keyPath: String
    /// What is wrong and what is expected instead.
    public var message: String
    /// The 1-based line of the offending value or key, when known.
    public var line: Int?

    /// Creates a problem.
    public init(file: String, keyPath: String, message: String, line: Int? = nil) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
        self.line = line
    }

    /// `file:line: keyPath: message`, leaving out the parts that are unknown.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }
}
