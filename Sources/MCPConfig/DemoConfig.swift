/// The built-in configuration that `mcp-proxy demo` runs: it fronts two copies
/// of the bundled `example-server`, named `alpha` and `beta`, with default namespacing (so their
/// tools appear as `alpha__…` and `beta__…`).
public enum DemoConfig {
    /// The source name problems and warnings use for the demo configuration.
    public static let sourceName = "<built-in demo config>"

    /// The embedded default config as YAML. `binDirectory` is where `example-server` lives (the
    /// directory of the running mcp-proxy binary); it is quoted and `$`-escaped, so any path works.
    public static func text(binDirectory: String) -> String {
        let trimmed = binDirectory.count > 1 && binDirectory.hasSuffix("/") ? String(binDirectory.dropLast()) : binDirectory
        let command = quoted((trimmed.isEmpty ? "." : trimmed) + "/example-server")
        return """
            # mcp-proxy built-in demo: two example servers behind one proxy.
            # Their tools are exposed as alpha__<tool> and beta__<tool>.
            mcpServers:
              alpha:
                command: \(command)
                args: ["--name", "alpha"]
              beta:
                command: \(command)
                args: ["--name", "beta"]

            """
    }

    /// The demo configuration, loaded and validated.
    public static func load(binDirectory: String) throws(ConfigError) -> ProxyConfig {
        try ConfigLoader.load(text: text(binDirectory: binDirectory), sourceName: sourceName, environment: [:])
    }

    /// `value` as a YAML double-quoted scalar, with `$` doubled so `${...}` expansion keeps it.
    private static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "$": out += "$$"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
