/// Reads `mcpServers.<name>.sandbox` for a server started with a command.
enum SandboxParser {
    static let keys = ["envAllow", "workingDirectory", "limits", "dieWithProxy", "noNewPrivileges", "user", "group"]
    static let limitKeys = ["memoryMB", "cpuSeconds", "openFiles", "processes"]
    static let hints = [
        "env": "write it as envAllow (a list of variable name globs); variables to set go under the server's env",
        "cwd": "write it as workingDirectory",
        "uid": "write it as user",
        "gid": "write it as group",
    ]

    /// The sandbox settings and the working directory it names; `nil` settings after a problem.
    static func read(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> (sandbox: SandboxConfig?, workingDirectory: String?) {
        guard let mapping = reader.mapping(node, at: path, expected: "a sandbox mapping (envAllow, workingDirectory, limits, dieWithProxy, noNewPrivileges, user, group)") else {
            return (nil, nil)
        }
        let problemsBefore = reader.problems.count
        reader.checkKeys(mapping, at: path, known: keys, hints: hints, what: "sandbox")
        var sandbox = SandboxConfig()
        if let value = reader.optional(mapping, "envAllow") {
            sandbox.envAllow = readEnvAllow(value, at: path.key("envAllow"), reader: &reader)
        }
        var workingDirectory: String?
        if let value = reader.optional(mapping, "workingDirectory") {
            workingDirectory = reader.nonEmptyString(value, at: path.key("workingDirectory"), expected: "a directory path")
        }
        if let value = reader.optional(mapping, "limits") {
            sandbox.limits = readLimits(value, at: path.key("limits"), reader: &reader)
        }
        for (key, keyPath) in [("dieWithProxy", \SandboxConfig.dieWithProxy), ("noNewPrivileges", \SandboxConfig.noNewPrivileges)] {
            if let value = reader.optional(mapping, key), let flag = reader.bool(value, at: path.key(key)) {
                sandbox[keyPath: keyPath] = flag
            }
        }
        if let value = reader.optional(mapping, "user") {
            sandbox.user = reader.nonEmptyString(value, at: path.key("user"), expected: "a user name or numeric uid")
        }
        if let value = reader.optional(mapping, "group") {
            sandbox.group = reader.nonEmptyString(value, at: path.key("group"), expected: "a group name or numeric gid")
        }
        guard reader.problems.count == problemsBefore else { return (nil, nil) }
        return (sandbox, workingDirectory)
    }

    /// `envAllow`: a list of variable-name globs with `*` and `?`.
    private static func readEnvAllow(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> [String]? {
        guard let patterns = reader.stringList(node, at: path, itemExpected: "a variable name glob such as LC_*") else { return nil }
        guard case .list(let items) = node.value else { return nil }
        for (index, pattern) in patterns.enumerated() where !isNameGlob(pattern) {
            reader.problem(path.index(index),
                           "a pattern matches variable names: letters, digits and '_', with '*' and '?' as wildcards; found \"\(ConfigNode.abbreviated(pattern))\"",
                           line: items[index].line)
        }
        return patterns
    }

    private static func isNameGlob(_ pattern: String) -> Bool {
        !pattern.isEmpty && pattern.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "*"), UInt8(ascii: "?"):
                return true
            default:
                return false
            }
        }
    }

    /// `limits: { memoryMB, cpuSeconds, openFiles, processes }`, each a whole number above 0.
    private static func readLimits(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> SandboxLimits {
        var limits = SandboxLimits()
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping of limits (memoryMB, cpuSeconds, openFiles, processes)") else {
            return limits
        }
        reader.checkKeys(mapping, at: path, known: limitKeys, what: "sandbox.limits")
        let fields: [(String, WritableKeyPath<SandboxLimits, Int?>)] = [
            ("memoryMB", \.memoryMB), ("cpuSeconds", \.cpuSeconds), ("openFiles", \.openFiles), ("processes", \.processes),
        ]
        for (key, keyPath) in fields {
            if let value = reader.optional(mapping, key) {
                limits[keyPath: keyPath] = reader.int(value, at: path.key(key), minimum: 1)
            }
        }
        if let openFiles = limits.openFiles, openFiles < 3, let entry = mapping.entry("openFiles") {
            reader.problem(path.key("openFiles"), "must be at least 3 (stdin, stdout and stderr), found \(openFiles)", line: entry.value.line)
        }
        return limits
    }
}
