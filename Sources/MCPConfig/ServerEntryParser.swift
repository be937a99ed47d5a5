/// Reads one entry of `mcpServers` into a ``ServerConfig``.
enum ServerEntryParser {
    static let stdioKeys = ["command", "args", "env", "cwd", "workingDirectory", "inheritEnvironment", "sandbox"]
    static let remoteKeys = ["url", "serverUrl", "headers", "tls", "auth"]
    static let proxyKeys = ["namespace", "separator", "startup", "tools", "prompts", "resources", "protocolEra"]
    static let knownKeys = stdioKeys + remoteKeys + ["type", "transportType", "disabled"] + proxyKeys
        + ServerReliabilityParser.serverKeys

    /// Keys desktop clients write that the proxy does not use: ignored with a warning.
    static let toleratedKeys: [String: String] = [
        "autoApprove": "ignored: a desktop-client setting the proxy does not use",
        "alwaysAllow": "ignored: a desktop-client setting the proxy does not use",
        "timeout": "ignored: a desktop-client setting; use timeoutSeconds (this server) or proxy.limits.requestTimeoutSeconds",
        "description": "ignored: a description for people, not used by the proxy",
        "envFile": "ignored: env files are not read; list the variables under env instead",
    ]
    /// Hints for keys that are common mistakes.
    static let hints: [String: String] = [
        "environment": "write it as env",
        "arguments": "write it as args",
        "argv": "write it as args",
        "workdir": "write it as cwd",
        "workingDir": "write it as cwd",
        "enabled": "write disabled: true to turn a server off",
        "healthCheck": "write it as health",
        "circuitBreaker": "write it as breaker",
        "retries": "write it as retry: { attempts, backoffMs }",
        "replica": "write it as replicas, a list",
    ]

    /// The type values accepted, and what each means.
    static let types: [String: RemoteKind?] = [
        "stdio": nil,
        "http": .streamableHTTP, "streamable-http": .streamableHTTP, "streamableHttp": .streamableHTTP,
        "sse": .sse,
        "ws": .webSocket, "websocket": .webSocket,
    ]
    static let typeNames = ["stdio", "http", "streamable-http", "streamableHttp", "sse", "ws", "websocket"]

    /// The outcome for one entry.
    enum Outcome {
        case server(ServerConfig)
        case disabled
        case invalid
    }

    static func parse(name: String, node: ConfigNode, keyLine: Int?, sectionPath: KeyPath, settings: ProxySettings,
                      reader: inout ConfigReader) -> Outcome {
        let path = sectionPath.key(name)
        let problemsBefore = reader.problems.count
        if !NameRules.isMCPName(name) {
            reader.problem(path, "a server name may use only \(NameRules.mcpNameRule); rename the server", line: keyLine)
        }
        guard let mapping = reader.mapping(node, at: path, expected: "a server mapping with a command or a url") else { return .invalid }
        if let value = reader.optional(mapping, "disabled"), let disabled = reader.bool(value, at: path.key("disabled")), disabled {
            reader.warning(path, "disabled: true, so the server is skipped", line: keyLine)
            return .disabled
        }
        reader.checkKeys(mapping, at: path, known: knownKeys, tolerated: toleratedKeys, hints: hints, what: "a server entry")

        var templates: [String: HeaderTemplate] = [:]
        var transport = readTransport(mapping, path: path, line: keyLine ?? node.line, templates: &templates, reader: &reader)
        var sandbox: SandboxConfig?
        if case .stdio? = transport, let value = reader.optional(mapping, "sandbox") {
            sandbox = readSandbox(value, mapping: mapping, path: path, transport: &transport, reader: &reader)
        }

        var namespace: String? = name
        if let value = reader.optional(mapping, "namespace") {
            namespace = readNamespace(value, serverName: name, at: path.key("namespace"), reader: &reader)
        }
        var separator = settings.separator
        if let value = reader.optional(mapping, "separator"), let text = SeparatorRule.read(value, at: path.key("separator"), reader: &reader) {
            separator = text
        }
        var startup = settings.startup
        if let value = reader.optional(mapping, "startup"),
           let text = reader.choice(value, at: path.key("startup"), allowed: StartupMode.allCases.map(\.rawValue)),
           let mode = StartupMode(rawValue: text) {
            startup = mode
        }
        var era = ProtocolEraSetting.auto
        if let value = reader.optional(mapping, "protocolEra"),
           let text = reader.choice(value, at: path.key("protocolEra"), allowed: ProtocolEraSetting.allCases.map(\.rawValue)),
           let setting = ProtocolEraSetting(rawValue: text) {
            era = setting
            if setting == .modern, case .remote(_, let kind, _)? = transport, kind != .streamableHTTP {
                reader.problem(path.key("protocolEra"), "2026-07-28 runs over stdio or Streamable HTTP only, not \(kind == .sse ? "legacy HTTP+SSE" : "WebSocket"); use auto or handshake, or type: http", line: value.line)
            }
        }
        let tools = FilterParser.read(mapping, "tools", at: path, reader: &reader)
        let prompts = FilterParser.read(mapping, "prompts", at: path, reader: &reader)
        let resources = FilterParser.read(mapping, "resources", at: path, reader: &reader)
        var tls: TLSFileSettings?
        if let value = reader.optional(mapping, "tls") {
            tls = TLSSectionParser.parse(value, at: path.key("tls"), reader: &reader, requireIdentity: false)
        }

        var replicas: [TransportConfig] = []
        var commandReplica = false
        if let value = reader.optional(mapping, "replicas") {
            (replicas, commandReplica) = ReplicaParser.read(value, at: path.key("replicas"), reader: &reader)
        }
        let reliability = ServerReliabilityParser.read(mapping, at: path, startsCommand: mapping.entry("command") != nil || commandReplica,
                                                       reader: &reader)
        let credentials = UserCredentialsParser.read(mapping, at: path, transport: transport, templates: templates,
                                                     hasReplicas: !replicas.isEmpty, settings: settings, reader: &reader)

        guard reader.problems.count == problemsBefore, let transport else { return .invalid }
        var server = ServerConfig(name: name, transport: transport, namespace: namespace, separator: separator,
                                  startup: startup, tools: tools, prompts: prompts, resources: resources)
        server.tls = tls
        server.protocolEra = era
        server.sandbox = sandbox
        reliability.apply(to: &server)
        server.replicas = replicas
        credentials.apply(to: &server)
        return .server(server)
    }

    /// `sandbox`, whose `workingDirectory` becomes the server's working directory unless `cwd`
    /// (or the entry's own `workingDirectory`) already sets it.
    private static func readSandbox(_ node: ConfigNode, mapping: ConfigNode.Mapping, path: KeyPath,
                                    transport: inout TransportConfig?, reader: inout ConfigReader) -> SandboxConfig? {
        let sandboxPath = path.key("sandbox")
        let (sandbox, directory) = SandboxParser.read(node, at: sandboxPath, reader: &reader)
        guard let directory, case let .stdio(command, arguments, environment, inherit, existing)? = transport else { return sandbox }
        if existing != nil {
            let key = mapping.entry("cwd") != nil ? "cwd" : "workingDirectory"
            var line: Int?
            if case .mapping(let section) = node.value { line = section.entry("workingDirectory")?.keyLine }
            reader.problem(sandboxPath.key("workingDirectory"), "\(key) already sets the working directory; give it only once", line: line)
            return nil
        }
        transport = .stdio(command: command, arguments: arguments, environment: environment,
                           inheritEnvironment: inherit, workingDirectory: directory)
        return sandbox
    }

    /// `namespace`: a name, `""` or `false` for none, `true` for the server's name.
    private static func readNamespace(_ node: ConfigNode, serverName: String, at path: KeyPath, reader: inout ConfigReader) -> String? {
        if case .scalar(let scalar) = node.value, case .bool(let flag) = scalar.kind {
            return flag ? serverName : nil
        }
        guard let text = reader.string(node, at: path, expected: "a namespace name, or false for no prefix") else { return serverName }
        if text.isEmpty { return nil }
        guard NameRules.isMCPName(text) else {
            reader.problem(path, "a namespace may use only \(NameRules.mcpNameRule), found \"\(ConfigNode.abbreviated(text))\"; or write false for no prefix", line: node.line)
            return serverName
        }
        return text
    }

    /// The transport of a server entry or of one of its replicas: a command or a url, with the
    /// keys that go with it.
    static func readTransport(_ mapping: ConfigNode.Mapping, path: KeyPath, line: Int?, reader: inout ConfigReader) -> TransportConfig? {
        var templates: [String: HeaderTemplate] = [:]
        let transport = readTransport(mapping, path: path, line: line, templates: &templates, reader: &reader)
        guard templates.isEmpty else {
            reader.problem(path.key("headers"), "per-user header values (${principal.*}) are only allowed on a server's own url, not on its replicas", line: mapping.entry("headers")?.keyLine)
            return nil
        }
        return transport
    }

    /// The transport; header values that use the principal go to `templates`.
    static func readTransport(_ mapping: ConfigNode.Mapping, path: KeyPath, line: Int?, templates: inout [String: HeaderTemplate],
                              reader: inout ConfigReader) -> TransportConfig? {
        var declaredType: String?
        var typeLine: Int?
        for key in ["type", "transportType"] {
            guard declaredType == nil, let value = reader.optional(mapping, key) else { continue }
            declaredType = reader.choice(value, at: path.key(key), allowed: typeNames)
            typeLine = value.line
            if declaredType == nil { return nil }
        }
        let urlKey = reader.optional(mapping, "url") != nil ? "url" : "serverUrl"
        let command = reader.optional(mapping, "command")
        let url = reader.optional(mapping, urlKey)
        if reader.optional(mapping, "url") != nil, reader.optional(mapping, "serverUrl") != nil {
            reader.problem(path.key("serverUrl"), "give the address once, as url", line: mapping.entry("serverUrl")?.keyLine)
            return nil
        }
        switch (command, url) {
        case (nil, nil):
            let needed = declaredType.map { $0 == "stdio" ? "a 'command'" : "a 'url'" }
                ?? "a 'command' (to start a local server) or a 'url' (to reach a remote one)"
            reader.problem(path, "missing: a server needs \(needed)", line: line)
            return nil
        case (.some, .some):
            reader.problem(path, "has both command and \(urlKey); a server is either a local command or a remote URL, keep one", line: line)
            return nil
        case (.some(let commandNode), nil):
            if let declaredType, declaredType != "stdio" {
                reader.problem(path.key("type"), "type: \(declaredType) is for remote servers with a url, but this server has a command; remove the type or write type: stdio", line: typeLine)
                return nil
            }
            return StdioTransportParser.read(mapping, command: commandNode, path: path, reader: &reader)
        case (nil, .some(let urlNode)):
            if declaredType == "stdio" {
                reader.problem(path.key("type"), "type: stdio needs a command, but this server has a url; remove the type or name the remote protocol (http, sse, ws)", line: typeLine)
                return nil
            }
            let kind = declaredType.flatMap { types[$0] ?? nil }
            return RemoteTransportParser.read(mapping, url: urlNode, urlKey: urlKey, declaredKind: kind, path: path,
                                              templates: &templates, reader: &reader)
        }
    }
}
