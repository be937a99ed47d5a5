/// Reads `proxy.rateLimits`: a list of `{ per, rate, burst, tools, roles, methods }`.
enum RateLimitsParser {
    static let keys = ["per", "rate", "burst", "tools", "roles", "methods"]

    /// Every valid entry; invalid ones are reported and left out.
    static func parse(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> [RateLimitSetting] {
        guard case .list(let items) = node.value else {
            reader.problem(path, "expected a list of limits, e.g. - { per: principal, rate: 50, burst: 100 }, found \(node.kindDescription)", line: node.line)
            return []
        }
        return items.enumerated().compactMap { index, item in parseEntry(item, at: path.index(index), reader: &reader) }
    }

    private static func parseEntry(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> RateLimitSetting? {
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { per, rate, burst }") else { return nil }
        reader.checkKeys(mapping, at: path, known: keys, what: "a rate limit")
        let problemsBefore = reader.problems.count
        var scope: RateLimitScope?
        if let value = reader.optional(mapping, "per") {
            if let text = reader.choice(value, at: path.key("per"), allowed: RateLimitScope.allCases.map(\.rawValue)) {
                scope = RateLimitScope(rawValue: text)
            }
        } else {
            reader.problem(path.key("per"), "missing: add per: principal, principal+tool or upstream", line: node.line)
        }
        var rate: Double?
        if let value = reader.optional(mapping, "rate") {
            rate = reader.positiveNumber(value, at: path.key("rate"), expected: "requests per second")
        } else {
            reader.problem(path.key("rate"), "missing: add rate: <requests per second> (fractions allowed)", line: node.line)
        }
        var burst: Int?
        if let value = reader.optional(mapping, "burst") {
            burst = reader.int(value, at: path.key("burst"), minimum: 1)
        }
        var entry = RateLimitSetting(per: scope ?? .principal, rate: rate ?? 1, burst: burst ?? max(1, Int((rate ?? 1).rounded(.up))))
        if let value = reader.optional(mapping, "tools"), let globs = reader.globList(value, at: path.key("tools")) {
            entry.tools = globs
            warnIfEmpty(globs, "tools", at: path, line: value.line, reader: &reader)
        }
        if let value = reader.optional(mapping, "roles"), let roles = reader.nameList(value, at: path.key("roles"), itemExpected: "a role name") {
            entry.roles = roles
            warnIfEmpty(roles, "roles", at: path, line: value.line, reader: &reader)
        }
        if let value = reader.optional(mapping, "methods"), let globs = reader.globList(value, at: path.key("methods")) {
            entry.methods = globs
            warnIfEmpty(globs, "methods", at: path, line: value.line, reader: &reader)
        }
        return reader.problems.count == problemsBefore ? entry : nil
    }

    private static func warnIfEmpty(_ list: [String], _ key: String, at path: KeyPath, line: Int?, reader: inout ConfigReader) {
        if list.isEmpty {
            reader.warning(path.key(key), "an empty list matches nothing, so this limit never applies; leave \(key) out to count every request", line: line)
        }
    }
}
