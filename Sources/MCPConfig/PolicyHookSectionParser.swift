/// Reads `proxy.policyHook` into ``ProxySettings/policyHook``.
enum PolicyHookSectionParser {
    static let keys = ["url", "methods", "timeoutMs", "failOpen", "response"]
    static let hints = [
        "endpoint": "write it as url",
        "timeout": "write it as timeoutMs (milliseconds)",
        "timeoutSeconds": "write it as timeoutMs (milliseconds)",
        "method": "write it as methods (a list of globs)",
        "failClosed": "write failOpen: false (the default) instead",
        "responses": "write it as response (true or false)",
    ]

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let node = reader.optional(mapping, "policyHook") else { return }
        let here = path.key("policyHook")
        guard let section = reader.mapping(node, at: here, expected: "a mapping (url, methods, timeoutMs, failOpen, response)") else { return }
        reader.checkKeys(section, at: here, known: keys, hints: hints, what: "proxy.policyHook")
        guard let urlNode = reader.optional(section, "url") else {
            reader.problem(here, "url is required: where the proxy POSTs each decision, e.g. http://127.0.0.1:8181/mcp-policy", line: node.line)
            return
        }
        guard let url = reader.secureURL(urlNode, at: here.key("url"), example: "http://127.0.0.1:8181/mcp-policy") else { return }
        var hook = PolicyHookSettings(url: url)
        if let methodsNode = reader.optional(section, "methods"), let methods = reader.globList(methodsNode, at: here.key("methods")) {
            if methods.isEmpty {
                reader.problem(here.key("methods"), "must name at least one method glob (the default is [\"tools/call\"]); remove policyHook to switch the hook off", line: methodsNode.line)
            } else {
                hook.methods = methods
            }
        }
        if let timeoutNode = reader.optional(section, "timeoutMs"), let timeout = reader.milliseconds(timeoutNode, at: here.key("timeoutMs")) {
            if timeout > 0 {
                hook.timeoutMs = timeout
            } else {
                reader.problem(here.key("timeoutMs"), "must be greater than 0 milliseconds (the default is 200)", line: timeoutNode.line)
            }
        }
        if let failOpenNode = reader.optional(section, "failOpen"), let failOpen = reader.bool(failOpenNode, at: here.key("failOpen")) {
            hook.failOpen = failOpen
        }
        if let responseNode = reader.optional(section, "response"), let response = reader.bool(responseNode, at: here.key("response")) {
            hook.response = response
        }
        settings.policyHook = hook
    }
}
