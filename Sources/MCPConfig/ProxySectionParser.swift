/// Reads the `proxy:` section into ``ProxySettings``. Routes are read here but their `to`
/// references are checked later, once the servers are known (``RouteParser/checkTargets``).
struct ProxySectionParser {
    static let sections: [String: [String]] = [
        "namespacing": ["separator", "collision", "maxNameLength", "rewriteResourceURIs"],
        "limits": ["maxMessageBytes", "maxNestingDepth", "maxLineBytes", "requestTimeoutSeconds",
                   "maxSessions", "maxSessionsPerPrincipal"],
        "upstreams": ["startup", "initializeTimeoutSeconds", "shutdownGraceSeconds", "restart", "failOpen"],
        "pagination": ["pageSize"],
        "logging": ["level"],
        "stats": ["dumpOnExit"],
        "listen": ["host", "port", "path", "ssePath", "messagesPath", "webSocketPath", "namedServers",
                   "allowedOrigins", "maxBodyBytes", "sessionIdleTimeoutSeconds", "drainSeconds", "tls",
                   "maxConnections", "maxConnectionsPerAddress", "headerTimeoutSeconds", "idleTimeoutSeconds",
                   TrustedProxiesParser.key],
        "admin": ["host", "port", "token"],
    ]
    static let topKeys = ["name", "version", "instructions", "namespacing", "routes", "limits",
                          "upstreams", "pagination", "logging", "stats", "listen", "admin",
                          "auth", "authorization", "rateLimits"] + ObservabilitySectionsParser.topKeys
        + TracingSectionParser.topKeys + GovernanceSectionsParser.topKeys + ClusterSectionParser.topKeys

    /// The settings, with defaults for what is missing or invalid (invalid values are reported),
    /// and the routes as read (with the line of each, for later checks).
    static func parse(_ node: ConfigNode?, reader: inout ConfigReader) -> (settings: ProxySettings, routes: [RouteParser.ParsedRoute]) {
        var settings = ProxySettings.defaults
        guard let node else { return (settings, []) }
        let path = KeyPath.root.key("proxy")
        guard let mapping = reader.mapping(node, at: path) else { return (settings, []) }
        reader.checkKeys(mapping, at: path, known: topKeys, hints: misplacedKeyHints(for: mapping), what: "proxy")

        if let value = reader.optional(mapping, "name"), let text = reader.nonEmptyString(value, at: path.key("name"), expected: "a server name") {
            settings.name = text
        }
        if let value = reader.optional(mapping, "version"), let text = reader.nonEmptyString(value, at: path.key("version"), expected: "a version string") {
            settings.version = text
        }
        if let value = reader.optional(mapping, "instructions"), let text = reader.string(value, at: path.key("instructions")) {
            settings.instructions = text
        }
        readNamespacing(mapping, path: path, into: &settings, reader: &reader)
        readLimits(mapping, path: path, into: &settings, reader: &reader)
        readUpstreams(mapping, path: path, into: &settings, reader: &reader)
        if let section = subsection(mapping, "pagination", path: path, reader: &reader) {
            if let value = reader.optional(section, "pageSize"),
               let size = reader.int(value, at: path.key("pagination").key("pageSize"), minimum: 0) {
                settings.pageSize = size
            }
        }
        if let section = subsection(mapping, "logging", path: path, reader: &reader) {
            if let value = reader.optional(section, "level"),
               let level = reader.choice(value, at: path.key("logging").key("level"), allowed: ProxySettings.logLevels) {
                settings.logLevel = level
            }
        }
        if let section = subsection(mapping, "stats", path: path, reader: &reader) {
            if let value = reader.optional(section, "dumpOnExit"), let flag = reader.bool(value, at: path.key("stats").key("dumpOnExit")) {
                settings.dumpStatsOnExit = flag
            }
        }
        readListen(mapping, path: path, into: &settings, reader: &reader)
        if let section = subsection(mapping, "admin", path: path, reader: &reader) {
            let here = path.key("admin")
            var admin = AdminSettings()
            if let value = reader.optional(section, "host"), let host = reader.nonEmptyString(value, at: here.key("host"), expected: "an interface address") {
                admin.host = host
            }
            if let value = reader.optional(section, "port"), let port = reader.int(value, at: here.key("port"), minimum: 0) {
                admin.port = port
            }
            if let value = reader.optional(section, "token"),
               let token = reader.nonEmptyString(value, at: here.key("token"), expected: "a bearer token of at least 16 characters") {
                if token.count < 16 {
                    reader.problem(here.key("token"), "the admin token has \(token.count) characters; use at least 16 (e.g. openssl rand -hex 24)", line: value.line)
                } else {
                    admin.token = token
                }
            }
            settings.admin = admin
        }
        SecuritySectionsParser.parse(mapping, path: path, into: &settings, reader: &reader)
        ObservabilitySectionsParser.parse(mapping, path: path, into: &settings, reader: &reader)
        TracingSectionParser.parse(mapping, path: path, into: &settings, reader: &reader)
        GovernanceSectionsParser.parse(mapping, path: path, into: &settings, reader: &reader)
        ClusterSectionParser.parse(mapping, path: path, into: &settings, reader: &reader)
        var routes: [RouteParser.ParsedRoute] = []
        if let value = reader.optional(mapping, "routes") {
            routes = RouteParser.parse(value, at: path.key("routes"), reader: &reader)
            settings.routes = routes.map(\.route)
        }
        return (settings, routes)
    }

    /// The nested mapping under `key`, with its keys checked, or `nil` if absent or not a mapping.
    private static func subsection(_ mapping: ConfigNode.Mapping, _ key: String, path: KeyPath, reader: inout ConfigReader) -> ConfigNode.Mapping? {
        guard let node = reader.optional(mapping, key) else { return nil }
        let sectionPath = path.key(key)
        guard let section = reader.mapping(node, at: sectionPath) else { return nil }
        reader.checkKeys(section, at: sectionPath, known: sections[key] ?? [], what: "proxy.\(key)")
        return section
    }

    private static func readNamespacing(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let section = subsection(mapping, "namespacing", path: path, reader: &reader) else { return }
        let here = path.key("namespacing")
        if let value = reader.optional(section, "separator"), let separator = SeparatorRule.read(value, at: here.key("separator"), reader: &reader) {
            settings.separator = separator
        }
        if let value = reader.optional(section, "collision"),
           let policy = reader.choice(value, at: here.key("collision"), allowed: ProxySettings.collisionPolicies) {
            settings.collision = policy
        }
        if let value = reader.optional(section, "maxNameLength"), let length = reader.int(value, at: here.key("maxNameLength"), minimum: 1) {
            settings.maxNameLength = length
        }
        if let value = reader.optional(section, "rewriteResourceURIs"), let flag = reader.bool(value, at: here.key("rewriteResourceURIs")) {
            settings.rewriteResourceURIs = flag
        }
    }

    private static func readLimits(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let section = subsection(mapping, "limits", path: path, reader: &reader) else { return }
        let here = path.key("limits")
        if let value = reader.optional(section, "maxMessageBytes"), let number = reader.int(value, at: here.key("maxMessageBytes"), minimum: 1) {
            settings.maxMessageBytes = number
        }
        if let value = reader.optional(section, "maxNestingDepth"), let number = reader.int(value, at: here.key("maxNestingDepth"), minimum: 1) {
            settings.maxNestingDepth = number
        }
        if let value = reader.optional(section, "maxLineBytes"), let number = reader.int(value, at: here.key("maxLineBytes"), minimum: 1) {
            settings.maxLineBytes = number
        }
        if let value = reader.optional(section, "requestTimeoutSeconds"),
           let seconds = reader.seconds(value, at: here.key("requestTimeoutSeconds"), allowZero: false) {
            settings.requestTimeoutSeconds = seconds
        }
        if let value = reader.optional(section, "maxSessions"), let number = reader.int(value, at: here.key("maxSessions"), minimum: 1) {
            settings.maxSessions = number
        }
        if let value = reader.optional(section, "maxSessionsPerPrincipal"), let number = reader.int(value, at: here.key("maxSessionsPerPrincipal"), minimum: 1) {
            settings.maxSessionsPerPrincipal = number
        }
    }

    private static func readUpstreams(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let section = subsection(mapping, "upstreams", path: path, reader: &reader) else { return }
        let here = path.key("upstreams")
        if let value = reader.optional(section, "startup"),
           let text = reader.choice(value, at: here.key("startup"), allowed: StartupMode.allCases.map(\.rawValue)),
           let mode = StartupMode(rawValue: text) {
            settings.startup = mode
        }
        if let value = reader.optional(section, "initializeTimeoutSeconds"),
           let seconds = reader.seconds(value, at: here.key("initializeTimeoutSeconds"), allowZero: false) {
            settings.initializeTimeoutSeconds = seconds
        }
        if let value = reader.optional(section, "shutdownGraceSeconds"),
           let seconds = reader.seconds(value, at: here.key("shutdownGraceSeconds"), allowZero: true) {
            settings.shutdownGraceSeconds = seconds
        }
        if let value = reader.optional(section, "restart"), let flag = reader.bool(value, at: here.key("restart")) {
            settings.restartUpstreams = flag
        }
        if let value = reader.optional(section, "failOpen"),
           let text = reader.choice(value, at: here.key("failOpen"), allowed: FailOpenPolicy.allCases.map(\.rawValue)),
           let policy = FailOpenPolicy(rawValue: text) {
            settings.failOpen = policy
        }
    }

    private static func readListen(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let section = subsection(mapping, "listen", path: path, reader: &reader) else { return }
        let here = path.key("listen")
        var listen = ListenSettings()
        if let value = reader.optional(section, "host"), let host = reader.nonEmptyString(value, at: here.key("host"), expected: "an interface address") {
            listen.host = host
        }
        if let value = reader.optional(section, "port"), let port = reader.int(value, at: here.key("port"), minimum: 0) {
            listen.port = port
        }
        for (key, keyPath) in [("path", \ListenSettings.path), ("ssePath", \.ssePath), ("messagesPath", \.messagesPath), ("webSocketPath", \.webSocketPath)] {
            if let value = reader.optional(section, key), let text = reader.nonEmptyString(value, at: here.key(key), expected: "a URL path starting with /") {
                if text.hasPrefix("/") {
                    listen[keyPath: keyPath] = text
                } else {
                    reader.problem(here.key(key), "expected a URL path starting with /, found '\(text)'", line: value.line)
                }
            }
        }
        if let value = reader.optional(section, "namedServers"), let flag = reader.bool(value, at: here.key("namedServers")) {
            listen.namedServers = flag
        }
        if let value = reader.optional(section, "allowedOrigins"), let origins = reader.stringList(value, at: here.key("allowedOrigins")) {
            listen.allowedOrigins = origins
        }
        if let value = reader.optional(section, "maxBodyBytes"), let number = reader.int(value, at: here.key("maxBodyBytes"), minimum: 1) {
            listen.maxBodyBytes = number
        }
        if let value = reader.optional(section, "sessionIdleTimeoutSeconds"), let seconds = reader.seconds(value, at: here.key("sessionIdleTimeoutSeconds"), allowZero: false) {
            listen.sessionIdleTimeoutSeconds = seconds
        }
        if let value = reader.optional(section, "drainSeconds"), let seconds = reader.seconds(value, at: here.key("drainSeconds"), allowZero: true) {
            listen.drainSeconds = seconds
        }
        if let value = reader.optional(section, "tls") {
            listen.tls = TLSSectionParser.parse(value, at: here.key("tls"), reader: &reader, requireIdentity: true)
        }
        ConnectionLimitsParser.read(section, at: here, into: &listen, reader: &reader)
        TrustedProxiesParser.read(section, at: here, into: &listen, reader: &reader)
        settings.listen = listen
    }

    /// For each unknown key written directly under `proxy:` that belongs in a subsection (or is a
    /// near miss of such a key): where it goes.
    private static func misplacedKeyHints(for mapping: ConfigNode.Mapping) -> [String: String] {
        var hints: [String: String] = [:]
        let nested = sections.sorted { $0.key < $1.key }.flatMap { section, keys in keys.map { (section, $0) } }
        for entry in mapping.entries where !topKeys.contains(entry.key) {
            if entry.key == "logLevel" {
                hints[entry.key] = "write it as proxy.logging.level"
            } else if let section = SecuritySectionsParser.home(of: entry.key) {
                hints[entry.key] = "it belongs under proxy.\(section)"
            } else if let (section, _) = nested.first(where: { $0.1 == entry.key }) {
                hints[entry.key] = "it belongs under proxy.\(section)"
            } else if KeySuggestion.closest(to: entry.key, among: topKeys) == nil,
                      let match = KeySuggestion.closest(to: entry.key, among: nested.map(\.1)),
                      let (section, _) = nested.first(where: { $0.1 == match }) {
                hints[entry.key] = "did you mean '\(match)' under proxy.\(section)?"
            }
        }
        return hints
    }
}
