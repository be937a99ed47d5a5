/// Reads the settings of a server started as a child process (`command`, `args`, `env`, `cwd`,
/// `inheritEnvironment`).
enum StdioTransportParser {
    /// Keys that only make sense for a command server.
    static let stdioOnlyKeys = ["args", "env", "cwd", "workingDirectory", "inheritEnvironment", "sandbox"]

    static func read(_ mapping: ConfigNode.Mapping, command commandNode: ConfigNode, path: KeyPath, reader: inout ConfigReader) -> TransportConfig? {
        var valid = true
        for key in ServerEntryParser.remoteKeys where mapping.entry(key) != nil {
            reader.problem(path.key(key), "only used by remote servers (with a url); remove it from this command server", line: mapping.entry(key)?.keyLine)
            valid = false
        }
        let command = reader.nonEmptyString(commandNode, at: path.key("command"), expected: "a program to run, e.g. python3 or /usr/local/bin/server")
        var arguments: [String] = []
        if let value = reader.optional(mapping, "args") {
            if let list = reader.stringList(value, at: path.key("args")) { arguments = list } else { valid = false }
        }
        var environment: [String: String] = [:]
        if let value = reader.optional(mapping, "env") {
            if let map = reader.stringMap(value, at: path.key("env"), keyRule: NameRules.environmentNameProblem) {
                environment = map
            } else {
                valid = false
            }
        }
        var workingDirectory: String?
        let cwd = reader.optional(mapping, "cwd")
        let workingDir = reader.optional(mapping, "workingDirectory")
        if cwd != nil, workingDir != nil {
            reader.problem(path.key("workingDirectory"), "cwd and workingDirectory mean the same; give only one", line: mapping.entry("workingDirectory")?.keyLine)
            valid = false
        } else if let node = cwd ?? workingDir {
            let key = cwd != nil ? "cwd" : "workingDirectory"
            workingDirectory = reader.nonEmptyString(node, at: path.key(key), expected: "a directory path")
            if workingDirectory == nil { valid = false }
        }
        var inherit = true
        if let value = reader.optional(mapping, "inheritEnvironment") {
            if let flag = reader.bool(value, at: path.key("inheritEnvironment")) { inherit = flag } else { valid = false }
        }
        guard valid, let command else { return nil }
        return .stdio(command: command, arguments: arguments, environment: environment,
                      inheritEnvironment: inherit, workingDirectory: workingDirectory)
    }
}
