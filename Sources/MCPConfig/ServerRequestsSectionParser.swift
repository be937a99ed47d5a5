/// Reads `proxy.serverRequests` into ``ProxySettings/serverRequests``: a list of
/// `{ servers, sampling, elicitation, roots, maxSamplingTokens, rate: { rate, burst } }`.
enum ServerRequestsSectionParser {
    static let keys = ["servers", "sampling", "elicitation", "roots", "maxSamplingTokens", "rate"]
    static let hints = [
        "server": "write it as servers (a list of globs on upstream names)",
        "upstreams": "write it as servers (a list of globs on upstream names)",
        "upstream": "write it as servers (a list of globs on upstream names)",
        "maxTokens": "write it as maxSamplingTokens",
        "elicit": "write it as elicitation",
        "elicitations": "write it as elicitation",
        "createMessage": "write it as sampling",
        "rateLimit": "write it as rate: { rate, burst }",
        "burst": "put it inside rate: { rate, burst }",
    ]
    static let entryShape = "a mapping { servers, sampling, elicitation, roots, maxSamplingTokens, rate }"

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let node = reader.optional(mapping, "serverRequests") else { return }
        let here = path.key("serverRequests")
        guard case .list(let items) = node.value else {
            reader.problem(here, "expected a list of rules, e.g. - { servers: [\"untrusted-*\"], sampling: deny }, found \(node.kindDescription)", line: node.line)
            return
        }
        settings.serverRequests = items.enumerated().compactMap { index, item in
            parseEntry(item, at: here.index(index), reader: &reader)
        }
    }

    /// One rule; nil (with its problems reported) when any of its values is bad.
    private static func parseEntry(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> ServerRequestRule? {
        guard let mapping = reader.mapping(node, at: path, expected: entryShape) else { return nil }
        reader.checkKeys(mapping, at: path, known: keys, hints: hints, what: "a proxy.serverRequests rule")
        let problemsBefore = reader.problems.count
        var rule = ServerRequestRule()
        if let value = reader.optional(mapping, "servers"), let globs = reader.globList(value, at: path.key("servers")) {
            if globs.isEmpty {
                reader.warning(path.key("servers"), "an empty list matches no upstream, so this rule never applies; leave servers out to match every upstream", line: value.line)
            }
            rule.servers = globs
        }
        rule.sampling = decision(mapping, "sampling", at: path, reader: &reader) ?? .allow
        rule.elicitation = decision(mapping, "elicitation", at: path, reader: &reader) ?? .allow
        rule.roots = decision(mapping, "roots", at: path, reader: &reader) ?? .allow
        if let value = reader.optional(mapping, "maxSamplingTokens") {
            rule.maxSamplingTokens = reader.int(value, at: path.key("maxSamplingTokens"), minimum: 1)
            if rule.maxSamplingTokens != nil, rule.sampling == .deny {
                reader.warning(path.key("maxSamplingTokens"), "sampling is denied by this rule, so maxSamplingTokens never applies", line: value.line)
            }
        }
        if let value = reader.optional(mapping, "rate") {
            rule.rate = bucket(value, at: path.key("rate"), reader: &reader)
        }
        return reader.problems.count == problemsBefore ? rule : nil
    }

    /// `allow` or `deny` (also `true`/`false`, read as allow/deny); nil when absent or bad.
    private static func decision(_ mapping: ConfigNode.Mapping, _ key: String, at path: KeyPath, reader: inout ConfigReader) -> ServerRequestRule.Decision? {
        guard let value = reader.optional(mapping, key) else { return nil }
        if case .scalar(let scalar) = value.value, case .bool(let on) = scalar.kind {
            return on ? .allow : .deny
        }
        guard let text = reader.choice(value, at: path.key(key), allowed: ServerRequestRule.Decision.allCases.map(\.rawValue)) else { return nil }
        return ServerRequestRule.Decision(rawValue: text)
    }

    /// `{ rate, burst }`: rate required (greater than 0, fractions allowed); burst at least 1,
    /// by default the rate rounded up.
    private static func bucket(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> TokenBucketSetting? {
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { rate, burst } (server-initiated requests per second per client session)") else { return nil }
        reader.checkKeys(mapping, at: path, known: ["rate", "burst"], what: "proxy.serverRequests rate")
        guard let rateNode = reader.optional(mapping, "rate") else {
            reader.problem(path.key("rate"), "missing: add rate: <requests per second per client session> (fractions allowed)", line: node.line)
            return nil
        }
        guard let rate = reader.positiveNumber(rateNode, at: path.key("rate"), expected: "requests per second per client session") else { return nil }
        var burst = max(1, Int(rate.rounded(.up)))
        if let value = reader.optional(mapping, "burst") {
            guard let number = reader.int(value, at: path.key("burst"), minimum: 1) else { return nil }
            burst = number
        }
        return TokenBucketSetting(rate: rate, burst: burst)
    }
}
