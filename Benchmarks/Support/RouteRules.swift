import MCPRouting

/// Route tables like a large deployment's: literal names, `prefix*` globs, globs with `*` in the
/// middle and character classes, over several methods. Only the last rule matches
/// `tools/call` of `fast__echo`, so a decision walks every rule of its method group.
public enum RouteRules {
    /// `count` rules; the last one is `tools/call` + `fast__*` -> allow.
    public static func make(count: Int) -> [RouteRule] {
        var rules: [RouteRule] = []
        rules.reserveCapacity(count)
        for index in 0..<max(0, count - 1) {
            let action: RouteAction = switch index % 3 {
            case 0: .deny
            case 1: .route(upstream: "up\(index % 7)")
            default: .allow
            }
            let rule: RouteRule = switch index % 5 {
            case 0: RouteRule(method: "tools/call", name: "svc\(index)__tool_\(index)", action: action)
            case 1: RouteRule(method: "tools/call", name: "svc\(index)__*", action: action)
            case 2: RouteRule(method: "tools/call", name: "*__admin_\(index)_*", action: action)
            case 3: RouteRule(method: "tools/call", name: "svc\(index)__[rw]*_?", action: action)
            default: RouteRule(method: index % 2 == 0 ? "prompts/get" : "resources/*", name: "*secret\(index)*", action: action)
            }
            rules.append(rule)
        }
        if count > 0 {
            rules.append(RouteRule(method: "tools/call", name: "fast__*", action: .allow))
        }
        return rules
    }

    /// A compiled table of `count` rules; the patterns above are all valid.
    public static func table(count: Int) -> RouteTable {
        (try? RouteTable(rules: make(count: count))) ?? .noRules
    }
}
