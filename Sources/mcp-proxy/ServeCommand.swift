import ArgumentParser
import Foundation
import MCPConfig

extension MCPProxyCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the network fronts (Streamable HTTP, legacy SSE, WebSocket) and the admin listener.",
            discussion: """
            Endpoints (paths configurable under proxy.listen): /mcp (Streamable HTTP), /sse with \
            /messages (legacy HTTP+SSE), /ws (WebSocket). With proxy.listen.namedServers each \
            upstream is also served alone under /servers/<name>/mcp, /sse and /ws. The admin \
            listener (proxy.admin or --admin) serves /healthz, /readyz, /metrics and /stats. \
            SIGHUP reloads the config file without dropping sessions (new sessions get the new \
            configuration; listener settings need a restart). SIGINT/SIGTERM drain requests in flight \
            (proxy.listen.drainSeconds), then exit.
            """)

        @Option(name: [.short, .long], help: "The config file (YAML or JSON).")
        var config: String

        @Option(name: .long, help: "HOST:PORT for the fronts (overrides proxy.listen).")
        var listen: String?

        @Option(name: .long, help: "HOST:PORT for the admin listener (overrides proxy.admin).")
        var admin: String?

        @Flag(name: .long, help: "Reload when the config file's contents change (checked every second), as on SIGHUP.")
        var watchConfig = false

        @OptionGroup var runtime: RuntimeOptions

        func run() async throws {
            let loaded: ProxyConfig
            do {
                loaded = try ConfigLoader.load(path: config)
            } catch {
                FileHandle.standardError.write(Data("mcp-proxy: the config has problems:\n\(error)\n".utf8))
                throw ExitCode(2)
            }
            let settings = try NetworkOverrides.apply(listen: listen, admin: admin, to: loaded.proxy)
            var effective = loaded
            effective.proxy = settings
            let (path, listen, admin) = (config, listen, admin)
            var runner = NetworkRunner(config: effective, runtime: runtime)
            runner.reloadConfig = {
                var reloaded = try ConfigLoader.load(path: path)
                reloaded.proxy = try NetworkOverrides.apply(listen: listen, admin: admin, to: reloaded.proxy)
                return reloaded
            }
            runner.watchConfigPath = watchConfig ? path : nil
            try await runner.run(announce: false)
        }
    }
}

/// `--listen` and `--admin` on top of the config file.
enum NetworkOverrides {
    static func apply(listen: String?, admin: String?, to settings: ProxySettings) throws -> ProxySettings {
        var settings = settings
        if let listen {
            let (host, port) = try parse(listen, option: "--listen")
            settings.listen.host = host
            settings.listen.port = port
        }
        if let admin {
            let (host, port) = try parse(admin, option: "--admin")
            var adminSettings = settings.admin ?? AdminSettings()
            adminSettings.host = host
            adminSettings.port = port
            settings.admin = adminSettings
        }
        return settings
    }

    /// "HOST:PORT", "[v6]:PORT" or ":PORT" (127.0.0.1).
    static func parse(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(option) expects HOST:PORT (e.g. 127.0.0.1:8080), got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}
