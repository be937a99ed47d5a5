/// Reads `proxy.endpoints` into ProxySettings: a list of virtual endpoints, each checked alone
/// (path, filters, renames, descriptions, roles, discovery) and against the others and the listen
/// paths. That `servers` name existing upstreams is checked once the servers are read
/// (``checkServers(_:enabled:disabled:reader:)``).
enum EndpointsSectionParser {
    static let keys = ["path", "servers", "tools", "prompts", "resources", "rename", "describe", "instructions", "roles", "discovery"]
    private static let hints = [
        "name": "an endpoint is named by its path: write path: /mcp/NAME",
        "upstreams": "write it as servers",
        "description": "write per-tool descriptions under describe: { TOOL: TEXT }",
        "allow": "put allow under tools, prompts or resources",
        "deny": "put deny under tools, prompts or resources",
    ]

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let node = reader.optional(mapping, "endpoints") else { return }
        let here = path.key("endpoints")
        guard case .list(let items) = node.value else {
            reader.problem(here, "expected a list of endpoints (- path: /mcp/NAME ...), found \(node.kindDescription)", line: node.line)
            return
        }
        let listen = settings.listen
        var reserved = [listen.path: "proxy.listen.path", listen.ssePath: "proxy.listen.ssePath",
                        listen.messagesPath: "proxy.listen.messagesPath", listen.webSocketPath: "proxy.listen.webSocketPath"]
        var endpoints: [EndpointSettings] = []
        for (index, item) in items.enumerated() {
            let itemPath = here.index(index)
            guard let endpoint = parseEndpoint(item, at: itemPath, hasAuth: settings.auth != nil, reader: &reader) else { continue }
            if let owner = reserved[endpoint.path] {
                reader.problem(itemPath.key("path"), "'\(endpoint.path)' is already used by \(owner); give each endpoint a path of its own", line: item.line)
                continue
            }
            if listen.namedServers, endpoint.path.hasPrefix("/servers/") {
                reader.problem(itemPath.key("path"), "paths under /servers/ belong to proxy.listen.namedServers; choose another path", line: item.line)
                continue
            }
            reserved[endpoint.path] = "\(here)[\(index)]"
            endpoints.append(endpoint)
        }
        settings.endpoints = endpoints
    }

    private static func parseEndpoint(_ node: ConfigNode, at here: KeyPath, hasAuth: Bool, reader: inout ConfigReader) -> EndpointSettings? {
        guard let section = reader.mapping(node, at: here, expected: "an endpoint mapping (path, servers, tools, prompts, resources, rename, describe, instructions, roles, discovery)") else { return nil }
        reader.checkKeys(section, at: here, known: keys, hints: hints, what: "an endpoint")
        guard let pathNode = reader.optional(section, "path") else {
            reader.problem(here.key("path"), "path is required: where the endpoint is served, e.g. /mcp/support", line: node.line)
            return nil
        }
        guard let path = reader.nonEmptyString(pathNode, at: here.key("path"), expected: "a path such as /mcp/support") else { return nil }
        if let problem = pathProblem(path) {
            reader.problem(here.key("path"), problem, line: pathNode.line)
            return nil
        }
        var endpoint = EndpointSettings(path: path)
        var valid = true
        if let value = reader.optional(section, "servers") {
            if let names = reader.stringList(value, at: here.key("servers"), itemExpected: "a server name") {
                if names.isEmpty {
                    reader.problem(here.key("servers"), "an empty list puts no server behind the endpoint; leave servers out for all of them", line: value.line)
                    valid = false
                } else {
                    endpoint.servers = names
                }
            } else {
                valid = false
            }
        }
        endpoint.tools = FilterParser.read(section, "tools", at: here, reader: &reader)
        endpoint.prompts = FilterParser.read(section, "prompts", at: here, reader: &reader)
        endpoint.resources = FilterParser.read(section, "resources", at: here, reader: &reader)
        if let value = reader.optional(section, "rename") {
            if let map = reader.stringMap(value, at: here.key("rename")) {
                valid = checkRenames(map, at: here.key("rename"), line: value.line, reader: &reader) && valid
                endpoint.rename = map
            } else {
                valid = false
            }
        }
        if let value = reader.optional(section, "describe") {
            if let map = reader.stringMap(value, at: here.key("describe")) {
                for key in map.keys.sorted() {
                    if let renamed = endpoint.rename[key] {
                        reader.problem(here.key("describe").key(key), "'\(key)' is renamed to '\(renamed)' at this endpoint; describe keys are names at the endpoint, so write \(renamed)", line: value.line)
                        valid = false
                    }
                }
                endpoint.describe = map
            } else {
                valid = false
            }
        }
        if let value = reader.optional(section, "instructions"), let text = reader.string(value, at: here.key("instructions")) {
            endpoint.instructions = text
        }
        if let value = reader.optional(section, "roles") {
            if let roles = reader.stringList(value, at: here.key("roles"), itemExpected: "a role name") {
                if roles.contains(where: \.isEmpty) {
                    reader.problem(here.key("roles"), "a role name must not be empty", line: value.line)
                    valid = false
                } else if !roles.isEmpty, !hasAuth {
                    reader.problem(here.key("roles"), "roles need authentication: configure proxy.auth (apiKeys, jwt or mtls) so principals carry roles", line: value.line)
                    valid = false
                }
                endpoint.roles = roles
            } else {
                valid = false
            }
        }
        if let value = reader.optional(section, "discovery"),
           let text = reader.choice(value, at: here.key("discovery"), allowed: EndpointSettings.Discovery.allCases.map(\.rawValue)) {
            endpoint.discovery = EndpointSettings.Discovery(rawValue: text) ?? .list
        }
        return valid ? endpoint : nil
    }

    /// Why `path` cannot be an endpoint path, or nil.
    static func pathProblem(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return "an endpoint path starts with '/', e.g. /mcp/support (found '\(path)')" }
        if path.contains("?") || path.contains("#") { return "an endpoint path has no query or fragment ('?', '#'): found '\(path)'" }
        if path.contains(where: { $0 == " " || $0.isNewline }) { return "an endpoint path has no spaces: found '\(path)'" }
        if path.hasPrefix("/.well-known/") { return "paths under /.well-known/ are reserved for metadata documents" }
        return nil
    }

    /// Rename targets are MCP names, and no two names become one.
    private static func checkRenames(_ map: [String: String], at path: KeyPath, line: Int?, reader: inout ConfigReader) -> Bool {
        var valid = true
        var seen: [String: String] = [:]
        for (from, to) in map.sorted(by: { $0.key < $1.key }) {
            if !NameRules.isMCPName(to) {
                reader.problem(path.key(from), "'\(to)' is not a valid tool or prompt name: use \(NameRules.mcpNameRule)", line: line)
                valid = false
            }
            if let other = seen[to] {
                reader.problem(path.key(from), "'\(other)' and '\(from)' are both renamed to '\(to)'; give each its own name", line: line)
                valid = false
            }
            seen[to] = from
        }
        return valid
    }

    /// Reports endpoint `servers` that name no enabled upstream (call after the servers are read).
    static func checkServers(_ proxy: ConfigNode?, endpoints: [EndpointSettings], enabled: [String], disabled: Set<String>, reader: inout ConfigReader) {
        guard !endpoints.isEmpty, case .mapping(let mapping)? = proxy?.value,
              case .list(let items)? = mapping.entry("endpoints")?.value.value else { return }
        let base = KeyPath.root.key("proxy").key("endpoints")
        for (index, item) in items.enumerated() {
            guard case .mapping(let section) = item.value, case .list(let names)? = section.entry("servers")?.value.value else { continue }
            for (position, nameNode) in names.enumerated() {
                guard case .scalar(let scalar) = nameNode.value else { continue }
                let name = scalar.text
                guard !enabled.contains(name) else { continue }
                let message: String
                if disabled.contains(name) {
                    message = "server '\(name)' is disabled; enable it or leave it out of this endpoint"
                } else {
                    let known = enabled.isEmpty ? "none" : enabled.joined(separator: ", ")
                    message = "no server named '\(name)' under mcpServers\(KeySuggestion.hint(for: name, among: enabled)) (servers: \(known))"
                }
                reader.problem(base.index(index).key("servers").index(position), message, line: nameNode.line)
            }
        }
    }
}
