/// Validates the document's top level: finds `mcpServers` (or `servers`) and `proxy`, ignores
/// other top-level keys with a warning, and checks cross-references between sections.
enum DocumentValidator {
    static let serverSectionKeys = ["mcpServers", "servers"]
    static let topLevelKeys = serverSectionKeys + ["proxy"]

    static func validate(_ root: ConfigNode, reader: inout ConfigReader) -> (servers: [ServerConfig], proxy: ProxySettings) {
        guard let mapping = reader.mapping(root, at: .root, expected: "a mapping with an mcpServers key at the top level") else {
            return ([], .defaults)
        }
        for entry in mapping.entries where !topLevelKeys.contains(entry.key) {
            reader.warning(KeyPath.root.key(entry.key),
                           "ignored: not a proxy setting (the proxy reads mcpServers and proxy)\(KeySuggestion.hint(for: entry.key, among: topLevelKeys))",
                           line: entry.keyLine)
        }
        let (settings, routes) = ProxySectionParser.parse(reader.optional(mapping, "proxy"), reader: &reader)

        let present = serverSectionKeys.compactMap { mapping.entry($0) }
        if present.count > 1 {
            reader.problem(KeyPath.root.key("servers"), "give the servers once, under mcpServers (servers is only accepted as an alias)", line: present[1].keyLine)
            return ([], settings)
        }
        guard let section = present.first, !section.value.isNull else {
            let typo = mapping.entries.first { KeySuggestion.closest(to: $0.key, among: ["mcpServers"]) != nil && !topLevelKeys.contains($0.key) }
            let hint = typo.map { " (found '\($0.key)'; did you mean 'mcpServers'?)" } ?? ""
            reader.problem(KeyPath.root.key("mcpServers"), "missing: add an mcpServers mapping with at least one server\(hint)", line: typo?.keyLine ?? present.first?.keyLine)
            return ([], settings)
        }
        let sectionPath = KeyPath.root.key(section.key)
        guard let serversMapping = reader.mapping(section.value, at: sectionPath, expected: "a mapping of server names to server entries") else {
            return ([], settings)
        }
        var servers: [ServerConfig] = []
        var disabled = Set<String>()
        var enabledNames: [String] = []
        var anyInvalid = false
        for entry in serversMapping.entries {
            switch ServerEntryParser.parse(name: entry.key, node: entry.value, keyLine: entry.keyLine, sectionPath: sectionPath,
                                           settings: settings, reader: &reader) {
            case .server(let server):
                servers.append(server)
                enabledNames.append(entry.key)
            case .disabled:
                disabled.insert(entry.key)
            case .invalid:
                anyInvalid = true
                enabledNames.append(entry.key)
            }
        }
        if serversMapping.entries.isEmpty {
            reader.problem(sectionPath, "no servers: add at least one server, e.g. time: { command: python3, args: [-m, mcp_server_time] }", line: section.value.line ?? section.keyLine)
        } else if servers.isEmpty, !anyInvalid {
            reader.problem(sectionPath, "every server is disabled; enable at least one (remove disabled: true)", line: section.keyLine)
        }
        // Servers with problems of their own still count as defined, so a route to one is not
        // reported a second time.
        RouteParser.checkTargets(routes, enabled: enabledNames, disabled: disabled, reader: &reader)
        EndpointsSectionParser.checkServers(reader.optional(mapping, "proxy"), endpoints: settings.endpoints, enabled: enabledNames,
                                            disabled: disabled, reader: &reader)
        return (servers, settings)
    }
}
