/// Reads `mcpServers.<name>.replicas`: further copies of a server, each given only by how to
/// reach it, with the same keys (and the same checks) as a server entry's transport.
enum ReplicaParser {
    /// The keys a replica may have: a server entry's transport keys.
    static let keys = ["command", "args", "env", "cwd", "workingDirectory", "inheritEnvironment",
                       "url", "serverUrl", "type", "transportType", "headers"]

    /// The replicas read (only the valid ones), and whether any replica names a command.
    static func read(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> (replicas: [TransportConfig], anyCommand: Bool) {
        guard case .list(let items) = node.value else {
            reader.problem(path, "expected a list of replicas, each { command, args, ... } or { url, type, headers }, found \(node.kindDescription)", line: node.line)
            return ([], false)
        }
        var replicas: [TransportConfig] = []
        var anyCommand = false
        for (index, item) in items.enumerated() {
            let here = path.index(index)
            guard let mapping = reader.mapping(item, at: here, expected: "a replica mapping with a command or a url") else { continue }
            if mapping.entry("command") != nil { anyCommand = true }
            reader.checkKeys(mapping, at: here, known: keys, hints: hints(for: mapping), what: "a replica")
            let transportOnly = ConfigNode.Mapping(entries: mapping.entries.filter { keys.contains($0.key) }, issues: [])
            if let transport = ServerEntryParser.readTransport(transportOnly, path: here, line: item.line, reader: &reader) {
                replicas.append(transport)
            }
        }
        return (replicas, anyCommand)
    }

    /// Hints for the keys of a server entry that are not a replica's own.
    private static func hints(for mapping: ConfigNode.Mapping) -> [String: String] {
        var hints: [String: String] = [:]
        for entry in mapping.entries where !keys.contains(entry.key) && ServerEntryParser.knownKeys.contains(entry.key) {
            hints[entry.key] = entry.key == "disabled"
                ? "remove the replica from the list instead"
                : "a replica gives only how to reach the server; \(entry.key) is set once, on the server, for all its replicas"
        }
        return hints
    }
}
