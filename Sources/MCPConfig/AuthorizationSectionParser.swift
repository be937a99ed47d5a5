/// Reads `proxy.authorization`: `default` and the list of `rules`.
enum AuthorizationSectionParser {
    static let keys = ["default", "rules"]
    static let ruleKeys = ["roles", "scopes", "subjects", "tools", "prompts", "resources", "methods", "requireScopes"]
    static let accessKinds = ["tools", "prompts", "resources", "methods"]

    /// The settings (problems are reported). `auth` is the parsed `proxy.auth`, used to warn
    /// about rules on roles that no caller can have.
    static func parse(_ node: ConfigNode, at path: KeyPath, auth: AuthSettings?, reader: inout ConfigReader) -> AuthorizationSettings {
        var settings = AuthorizationSettings()
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { default: allow | deny, rules: [...] }") else { return settings }
        reader.checkKeys(mapping, at: path, known: keys, what: "proxy.authorization")
        if let value = reader.optional(mapping, "default"),
           let text = reader.choice(value, at: path.key("default"), allowed: AuthorizationDecision.allCases.map(\.rawValue)),
           let decision = AuthorizationDecision(rawValue: text) {
            settings.defaultDecision = decision
        }
        guard let value = reader.optional(mapping, "rules") else { return settings }
        let rulesPath = path.key("rules")
        guard case .list(let items) = value.value else {
            reader.problem(rulesPath, "expected a list of rules, e.g. - { roles: [reader], tools: { allow: [\"*__read*\"] } }, found \(value.kindDescription)", line: value.line)
            return settings
        }
        var firstRoleRule: (path: KeyPath, line: Int?)?
        for (index, item) in items.enumerated() {
            guard let rule = parseRule(item, at: rulesPath.index(index), reader: &reader) else { continue }
            settings.rules.append(rule)
            if !rule.roles.isEmpty, firstRoleRule == nil, case .mapping(let ruleMapping) = item.value {
                firstRoleRule = (rulesPath.index(index).key("roles"), ruleMapping.entry("roles")?.keyLine ?? item.line)
            }
        }
        if let firstRoleRule, !(auth?.hasAuthenticators ?? false) {
            let stdio = auth?.stdioPrincipal != nil
            reader.warning(firstRoleRule.path, "proxy.auth has no jwt, apiKeys or mtls, so network callers are anonymous and have no roles; rules on roles "
                + (stdio ? "apply only to proxy.auth.stdioPrincipal" : "never apply") + ". Configure authentication under proxy.auth", line: firstRoleRule.line)
        }
        return settings
    }

    private static func parseRule(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> AuthorizationRule? {
        guard let mapping = reader.mapping(node, at: path, expected: "a rule mapping { roles | scopes | subjects, tools, prompts, resources, methods, requireScopes }") else { return nil }
        reader.checkKeys(mapping, at: path, known: ruleKeys, what: "an authorization rule")
        let problemsBefore = reader.problems.count
        var rule = AuthorizationRule()
        for (key, keyPath, item) in [("roles", \AuthorizationRule.roles, "a role name"), ("scopes", \.scopes, "a scope"),
                                      ("subjects", \.subjects, "a subject"), ("requireScopes", \.requireScopes, "a scope")] {
            if let value = reader.optional(mapping, key), let names = reader.nameList(value, at: path.key(key), itemExpected: item) {
                rule[keyPath: keyPath] = names
            }
        }
        for (key, keyPath) in [("tools", \AuthorizationRule.tools), ("prompts", \.prompts), ("resources", \.resources), ("methods", \.methods)] {
            if let value = reader.optional(mapping, key) {
                rule[keyPath: keyPath] = readAccessList(value, kind: key, at: path.key(key), reader: &reader)
            }
        }
        let decides = accessKinds.contains { reader.optional(mapping, $0) != nil } || reader.optional(mapping, "requireScopes") != nil
        if !decides {
            reader.problem(path, "this rule decides nothing: add tools, prompts, resources or methods with allow/deny, or requireScopes (to allow everything, write methods: { allow: [\"*\"] })", line: node.line)
        }
        return reader.problems.count == problemsBefore ? rule : nil
    }

    private static func readAccessList(_ node: ConfigNode, kind: String, at path: KeyPath, reader: inout ConfigReader) -> AccessList? {
        let what = kind == "resources" ? "URI globs" : kind == "methods" ? "method globs" : "name globs"
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { allow: [\(what)], deny: [\(what)] }") else { return nil }
        reader.checkKeys(mapping, at: path, known: ["allow", "deny"], what: "a rule's \(kind)")
        var list = AccessList()
        if let value = reader.optional(mapping, "allow"), let patterns = reader.globList(value, at: path.key("allow")) {
            list.allow = patterns
        }
        if let value = reader.optional(mapping, "deny"), let patterns = reader.globList(value, at: path.key("deny")) {
            list.deny = patterns
        }
        if mapping.entries.isEmpty {
            reader.problem(path, "is empty: add allow and/or deny (globs on \(kind == "resources" ? "resource URIs" : kind == "methods" ? "method names" : "exposed \(kind) names"))", line: node.line)
        }
        return list
    }
}
