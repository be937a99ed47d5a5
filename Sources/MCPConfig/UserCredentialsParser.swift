import Foundation

/// Reads a remote server's per-user credentials: `auth.tokenExchange` (RFC 8693) and the header
/// templates that use the principal, and checks that they can work: authentication must be
/// configured (a principal to render and a token to exchange), the server must be a Streamable
/// HTTP server without replicas, and its upstream sessions are never shared between principals.
enum UserCredentialsParser {
    static let authKeys = ["tokenExchange"]
    static let exchangeKeys = ["tokenEndpoint", "clientId", "clientSecret", "audience", "scope"]
    static let exchangeHints = [
        "endpoint": "write it as tokenEndpoint", "url": "write it as tokenEndpoint", "tokenUrl": "write it as tokenEndpoint",
        "token_endpoint": "write it as tokenEndpoint", "client_id": "write it as clientId", "clientID": "write it as clientId",
        "client_secret": "write it as clientSecret", "secret": "write it as clientSecret", "aud": "write it as audience",
        "scopes": "write it as scope, one string of space-separated scopes",
    ]

    /// What was read, to put on the server.
    struct Credentials {
        var templates: [String: HeaderTemplate] = [:]
        var exchange: TokenExchangeSettings?

        /// Sets the server's credentials; with any, its pool runs per client session.
        func apply(to server: inout ServerConfig) {
            server.principalHeaders = templates
            server.tokenExchange = exchange
            if server.hasUserCredentials { server.pool.mode = .perSession }
        }
    }

    static func read(_ mapping: ConfigNode.Mapping, at path: KeyPath, transport: TransportConfig?, templates: [String: HeaderTemplate],
                     hasReplicas: Bool, settings: ProxySettings, reader: inout ConfigReader) -> Credentials {
        var credentials = Credentials(templates: templates)
        if let node = reader.optional(mapping, "auth"), case .remote? = transport {
            credentials.exchange = readAuth(node, at: path.key("auth"), reader: &reader)
        }
        guard !templates.isEmpty || mapping.entry("auth") != nil else { return credentials }
        let headersLine = mapping.entry("headers")?.keyLine
        let authLine = mapping.entry("auth")?.keyLine
        let (what, wherePath, line) = templates.isEmpty
            ? ("auth.tokenExchange", path.key("auth"), authLine)
            : ("${principal.*} in headers", path.key("headers"), headersLine)
        let auth = settings.auth
        if !templates.isEmpty, auth?.hasAuthenticators != true, auth?.stdioPrincipal == nil {
            reader.problem(path.key("headers"), "uses ${principal.*}, but no authentication is configured, so every caller is the same anonymous principal; configure proxy.auth (jwt, apiKeys or mtls) or remove the template", line: headersLine)
        }
        if mapping.entry("auth") != nil, auth?.jwt == nil {
            reader.problem(path.key("auth").key("tokenExchange"), "exchanges the client's bearer token, but proxy.auth.jwt is not configured, so clients present no verified token; configure proxy.auth.jwt or remove tokenExchange", line: authLine)
        }
        if case .remote(_, let kind, let headers)? = transport {
            if kind != .streamableHTTP {
                reader.problem(wherePath, "\(what) needs a Streamable HTTP server (type: http); this one is \(kind.rawValue)", line: line)
            }
            if credentials.exchange != nil, let name = (Array(headers.keys) + Array(templates.keys)).first(where: { $0.lowercased() == "authorization" }) {
                reader.problem(path.key("headers").key(name), "the token exchange sets Authorization itself; remove this header", line: headersLine)
            }
        }
        if hasReplicas {
            reader.problem(path.key("replicas"), "\(what) is not supported together with replicas; remove the replicas", line: mapping.entry("replicas")?.keyLine)
        }
        if case .mapping(let pool)? = mapping.entry("pool")?.value.value, let mode = pool.entry("mode"),
           case .scalar(let scalar) = mode.value.value, scalar.text == PoolMode.shared.rawValue {
            reader.problem(path.key("pool").key("mode"), "\(what) gives each principal its own upstream sessions, so pool.mode cannot be shared; remove it (perSession is implied)", line: mode.keyLine)
        }
        return credentials
    }

    /// `auth: { tokenExchange: {...} }`.
    private static func readAuth(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> TokenExchangeSettings? {
        guard let auth = reader.mapping(node, at: path, expected: "a mapping with tokenExchange") else { return nil }
        reader.checkKeys(auth, at: path, known: authKeys, hints: ["token_exchange": "write it as tokenExchange", "exchange": "write it as tokenExchange"], what: "a server's auth")
        guard let exchangeNode = reader.optional(auth, "tokenExchange") else {
            reader.problem(path, "expected tokenExchange: { tokenEndpoint, clientId, clientSecret, audience, scope }", line: node.line)
            return nil
        }
        let here = path.key("tokenExchange")
        guard let section = reader.mapping(exchangeNode, at: here, expected: "a mapping (\(exchangeKeys.joined(separator: ", ")))") else { return nil }
        reader.checkKeys(section, at: here, known: exchangeKeys, hints: exchangeHints, what: "tokenExchange")
        func required(_ key: String, _ expected: String, _ reader: inout ConfigReader) -> String? {
            guard let value = reader.optional(section, key) else {
                reader.problem(here, "missing: \(key) (\(expected))", line: exchangeNode.line)
                return nil
            }
            return reader.nonEmptyString(value, at: here.key(key), expected: expected)
        }
        func optional(_ key: String, _ expected: String, _ reader: inout ConfigReader) -> (String?, Bool) {
            guard let value = reader.optional(section, key) else { return (nil, true) }
            let text = reader.nonEmptyString(value, at: here.key(key), expected: expected)
            return (text, text != nil)
        }
        let endpoint = required("tokenEndpoint", "the authorization server's token endpoint, e.g. https://login.example.com/oauth2/token", &reader)
        let clientId = required("clientId", "the proxy's client id at the authorization server", &reader)
        let clientSecret = required("clientSecret", "the proxy's client secret; write it as ${ENV_VAR}", &reader)
        let (audience, audienceValid) = optional("audience", "the upstream's name at the authorization server", &reader)
        let (scope, scopeValid) = optional("scope", "space-separated scopes", &reader)
        var endpointValid = false
        if let endpoint, let value = reader.optional(section, "tokenEndpoint") {
            endpointValid = checkEndpoint(endpoint, at: here.key("tokenEndpoint"), line: value.line, reader: &reader)
        }
        if let value = reader.optional(section, "clientSecret"), case .scalar(let scalar) = value.value, !scalar.text.contains("${") {
            reader.warning(here.key("clientSecret"), "the secret is written in the file; prefer ${ENV_VAR} so that it stays out of the configuration", line: value.line)
        }
        guard let endpoint, endpointValid, let clientId, let clientSecret, audienceValid, scopeValid else { return nil }
        return TokenExchangeSettings(tokenEndpoint: endpoint, clientId: clientId, clientSecret: clientSecret, audience: audience, scope: scope)
    }

    /// `https://`, or `http://` only on a loopback address (the client's token must not cross a
    /// network in the clear).
    private static func checkEndpoint(_ text: String, at path: KeyPath, line: Int?, reader: inout ConfigReader) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            reader.problem(path, "expected an absolute URL such as https://login.example.com/oauth2/token, found \"\(ConfigNode.abbreviated(text))\"", line: line)
            return false
        }
        switch scheme {
        case "https":
            return true
        case "http" where isLoopback(host):
            return true
        case "http":
            reader.problem(path, "must be https:// (the client's token is sent to it); http:// is only accepted on a loopback address (127.0.0.1, ::1, localhost)", line: line)
            return false
        default:
            reader.problem(path, "expected an https:// URL, found '\(scheme)://'", line: line)
            return false
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }
}
