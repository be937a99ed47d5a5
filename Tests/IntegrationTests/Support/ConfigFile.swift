import Foundation

/// A proxy configuration written to a temporary YAML file.
struct ConfigFile {
    /// One upstream under `mcpServers`.
    struct Server {
        var name: String
        var command: String
        var arguments: [String]
        /// Extra YAML keys of the entry, one `key: value` a line (flow style).
        var extra: [String] = []

        /// An `example-server --name <name>` upstream.
        static func example(_ name: String, arguments: [String] = [], extra: [String] = []) -> Server {
            Server(name: name, command: Binaries.exampleServer, arguments: ["--name", name] + arguments, extra: extra)
        }

        /// An example server whose stdin and stdout are copied to `<directory>/<name>-in.log` and
        /// `<name>-out.log`, to see the exact bytes the proxy exchanged with it.
        static func recorded(_ name: String, directory: String) -> Server {
            let script = #"tee "$0/$2-in.log" | "$1" --name "$2" | tee "$0/$2-out.log""#
            return Server(name: name, command: "/bin/sh", arguments: ["-c", script, directory, Binaries.exampleServer, name])
        }
    }

    var servers: [Server]
    /// YAML lines under `proxy:` (already indented by two spaces).
    var proxy: [String] = []

    /// The YAML text.
    var text: String {
        var lines = ["mcpServers:"]
        for server in servers {
            lines.append("  \(Self.quote(server.name)):")
            lines.append("    command: \(Self.quote(server.command))")
            lines.append("    args: [\(server.arguments.map(Self.quote).joined(separator: ", "))]")
            for line in server.extra { lines.append("    \(line)") }
        }
        if !proxy.isEmpty {
            lines.append("proxy:")
            lines += proxy.map { "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar (JSON string syntax is valid YAML).
    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The usual pair: `alpha` and `beta`, both example servers.
    static func alphaBeta(arguments: [String] = [], proxy: [String] = []) -> ConfigFile {
        ConfigFile(servers: [.example("alpha", arguments: arguments), .example("beta", arguments: arguments)], proxy: proxy)
    }
}

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/mcp-proxy-it-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` inside the directory; returns the full path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
