/// Reads `proxy.routes`: a list of `{ method, name, upstream, action, to }` rules.
enum RouteParser {
    /// A route as read, with where it came from so `to` can be checked against the servers.
    struct ParsedRoute {
        var route: RouteConfig
        var path: KeyPath
        var toLine: Int?
    }

    static let keys = ["method", "name", "upstream", "action", "to"]

    /// Every valid route; invalid ones are reported and left out.
    static func parse(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> [ParsedRoute] {
        guard case .list(let items) = node.value else {
            reader.problem(path, "expected a list of routes (each { method, name, upstream, action, to }), found \(node.kindDescription)", line: node.line)
            return []
        }
        var routes: [ParsedRoute] = []
        for (index, item) in items.enumerated() {
            if let route = parseRoute(item, at: path.index(index), reader: &reader) {
                routes.append(route)
            }
        }
        return routes
    }

    private static func parseRoute(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> ParsedRoute? {
        guard let mapping = reader.mapping(node, at: path, expected: "a route mapping { method, name, upstream, action, to }") else { return nil }
        reader.checkKeys(mapping, at: path, known: keys, what: "a route")
        let problemsBefore = reader.problems.count

        var method = "*"
        if let value = reader.optional(mapping, "method"), let glob = reader.glob(value, at: path.key("method")) {
            method = glob
        }
        let name = reader.optional(mapping, "name").flatMap { reader.glob($0, at: path.key("name")) }
        let upstream = reader.optional(mapping, "upstream").flatMap { reader.glob($0, at: path.key("upstream")) }

        var action: String?
        if let value = reader.optional(mapping, "action") {
            action = reader.choice(value, at: path.key("action"), allowed: RouteConfig.actions)
        } else {
            reader.problem(path.key("action"), "missing; every route needs an action: one of \(RouteConfig.actions.joined(separator: ", "))", line: node.line)
        }

        var to: String?
        let toNode = reader.optional(mapping, "to")
        if let toNode {
            to = reader.nonEmptyString(toNode, at: path.key("to"), expected: "the name of a server under mcpServers")
        }
        if let action {
            if action == "route", toNode == nil {
                reader.problem(path.key("to"), "missing; action: route needs 'to: <server name>' naming the server to send the request to", line: node.line)
            } else if action != "route", let toNode {
                reader.problem(path.key("to"), "only used with action: route; remove it or change the action to route", line: toNode.line)
            }
        }
        guard reader.problems.count == problemsBefore, let action else { return nil }
        return ParsedRoute(route: RouteConfig(method: method, name: name, upstream: upstream, action: action, to: to),
                           path: path, toLine: toNode?.line)
    }

    /// Reports every route whose `to` names no enabled server.
    static func checkTargets(_ routes: [ParsedRoute], enabled: [String], disabled: Set<String>, reader: inout ConfigReader) {
        for parsed in routes {
            guard let target = parsed.route.to, !enabled.contains(target) else { continue }
            let message: String
            if disabled.contains(target) {
                message = "server '\(target)' is disabled; enable it or route to another server"
            } else {
                let known = enabled.isEmpty ? "none" : enabled.joined(separator: ", ")
                message = "no server named '\(target)' under mcpServers\(KeySuggestion.hint(for: target, among: enabled)) (servers: \(known))"
            }
            reader.problem(parsed.path.key("to"), message, line: parsed.toLine)
        }
    }
}
