/// Reads `proxy.auth` into ``AuthSettings`` and checks that its parts fit together and with
/// `proxy.listen` (mTLS needs client certificates).
enum AuthSectionParser {
    static let keys = ["resource", "authorizationServers", "scopesSupported", "required", "jwt", "apiKeys",
                       "mtls", "stdioPrincipal", "preAuthLimit"]

    /// The settings, with defaults for what is missing (problems are reported).
    static func parse(_ node: ConfigNode, keyLine: Int?, at path: KeyPath, listen: ListenSettings, reader: inout ConfigReader) -> AuthSettings {
        var auth = AuthSettings()
        guard let mapping = reader.mapping(node, at: path) else { return auth }
        reader.checkKeys(mapping, at: path, known: keys, what: "proxy.auth")
        let line = keyLine ?? node.line

        if let value = reader.optional(mapping, "resource") {
            auth.resource = reader.secureURL(value, at: path.key("resource"), example: "https://mcp.example.com/mcp", allowFragment: false)
        }
        if let value = reader.optional(mapping, "authorizationServers") {
            auth.authorizationServers = readURLList(value, at: path.key("authorizationServers"), reader: &reader)
        }
        if let value = reader.optional(mapping, "scopesSupported"),
           let scopes = reader.nameList(value, at: path.key("scopesSupported"), itemExpected: "a scope name") {
            auth.scopesSupported = scopes
        }
        if let entry = mapping.entry("jwt"), !entry.value.isNull {
            auth.jwt = JWTSectionParser.parse(entry.value, keyLine: entry.keyLine, at: path.key("jwt"), resource: auth.resource, reader: &reader)
        }
        if let value = reader.optional(mapping, "apiKeys"), let keys = APIKeysParser.parse(value, at: path.key("apiKeys"), reader: &reader) {
            auth.apiKeys = keys
        }
        if let entry = mapping.entry("mtls"), !entry.value.isNull {
            auth.mtls = readMTLS(entry.value, at: path.key("mtls"), reader: &reader)
            if listen.tls?.ca == nil {
                reader.problem(path.key("mtls"), "needs client certificates: set proxy.listen.tls.ca (the CA client certificates must chain to), or remove mtls", line: entry.keyLine)
            }
        }
        if let value = reader.optional(mapping, "stdioPrincipal") {
            auth.stdioPrincipal = readStdioPrincipal(value, at: path.key("stdioPrincipal"), reader: &reader)
        }
        if let value = reader.optional(mapping, "preAuthLimit") {
            auth.preAuthLimit = readPreAuthLimit(value, at: path.key("preAuthLimit"), reader: &reader)
        }

        let authenticators = ["jwt", "apiKeys", "mtls"].filter { key in
            guard let value = reader.optional(mapping, key) else { return false }
            if case .list(let items) = value.value { return !items.isEmpty }
            return true
        }
        let needsResource = authenticators.contains("jwt") || authenticators.contains("apiKeys")
        if needsResource, mapping.entry("resource").map({ $0.value.isNull }) ?? true {
            let users = authenticators.filter { $0 != "mtls" }
            reader.problem(path.key("resource"), "missing: \(users.joined(separator: " and ")) \(users.count > 1 ? "need" : "needs") this proxy's canonical URI, e.g. resource: https://mcp.example.com/mcp (tokens' aud must contain it; it is advertised in the protected-resource metadata)", line: line)
        }
        auth.required = !authenticators.isEmpty
        if let value = reader.optional(mapping, "required"), let flag = reader.bool(value, at: path.key("required")) {
            auth.required = flag
            if flag, authenticators.isEmpty {
                reader.problem(path.key("required"), "true, but there is no way to authenticate: add jwt, apiKeys or mtls under proxy.auth", line: value.line)
            } else if !flag, !authenticators.isEmpty {
                reader.warning(path.key("required"), "false: callers without credentials get an anonymous principal; use this only for development", line: value.line)
            }
        }
        return auth
    }

    private static func readURLList(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> [String] {
        guard case .list(let items) = node.value else {
            reader.problem(path, "expected a list of URLs, e.g. [https://login.example.com], found \(node.kindDescription)", line: node.line)
            return []
        }
        return items.enumerated().compactMap { index, item in
            reader.secureURL(item, at: path.index(index), example: "https://login.example.com")
        }
    }

    private static func readMTLS(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> MTLSSettings? {
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { roles: { \"CN=name\": [role] }, defaultRoles: [role] }") else { return nil }
        reader.checkKeys(mapping, at: path, known: ["roles", "defaultRoles"], what: "proxy.auth.mtls")
        var settings = MTLSSettings()
        if let value = reader.optional(mapping, "roles"),
           let subjects = reader.mapping(value, at: path.key("roles"), expected: "a mapping of certificate subjects to role lists, e.g. { \"CN=ops-bot\": [admin] }") {
            for entry in subjects.entries {
                if let roles = reader.nameList(entry.value, at: path.key("roles").key(entry.key), itemExpected: "a role name") {
                    settings.roles[entry.key] = roles
                }
            }
        }
        if let value = reader.optional(mapping, "defaultRoles"),
           let roles = reader.nameList(value, at: path.key("defaultRoles"), itemExpected: "a role name") {
            settings.defaultRoles = roles
        }
        return settings
    }

    private static func readStdioPrincipal(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> StdioPrincipalSetting? {
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { subject, roles, scopes }") else { return nil }
        reader.checkKeys(mapping, at: path, known: ["subject", "roles", "scopes"], what: "proxy.auth.stdioPrincipal")
        var principal = StdioPrincipalSetting()
        if let value = reader.optional(mapping, "subject"),
           let subject = reader.nonEmptyString(value, at: path.key("subject"), expected: "the local user's subject, e.g. local") {
            principal.subject = subject
        }
        if let value = reader.optional(mapping, "roles"), let roles = reader.nameList(value, at: path.key("roles"), itemExpected: "a role name") {
            principal.roles = roles
        }
        if let value = reader.optional(mapping, "scopes"), let scopes = reader.nameList(value, at: path.key("scopes"), itemExpected: "a scope") {
            principal.scopes = scopes
        }
        return principal
    }

    /// `{ rate, burst }`, or `false` to turn the limit off (`true` keeps the default).
    private static func readPreAuthLimit(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> TokenBucketSetting? {
        if case .scalar(let scalar) = node.value, case .bool(let on) = scalar.kind {
            return on ? .preAuthDefault : nil
        }
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { rate, burst }, or false to turn the limit off") else { return .preAuthDefault }
        reader.checkKeys(mapping, at: path, known: ["rate", "burst"], what: "proxy.auth.preAuthLimit")
        var bucket = TokenBucketSetting.preAuthDefault
        if let value = reader.optional(mapping, "rate"),
           let rate = reader.positiveNumber(value, at: path.key("rate"), expected: "requests per second per remote address") {
            bucket.rate = rate
        }
        if let value = reader.optional(mapping, "burst"), let burst = reader.int(value, at: path.key("burst"), minimum: 1) {
            bucket.burst = burst
        }
        return bucket
    }
}
