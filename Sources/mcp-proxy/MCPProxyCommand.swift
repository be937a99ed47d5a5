import ArgumentParser
import Foundation
import Logging
import MCPConfig
import MCPProxy
import MCPTransports

@main
struct MCPProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp-proxy",
        abstract: "An MCP proxy: many upstream MCP servers, one MCP server for your client.",
        discussion: """
        Reads a config file naming upstream MCP servers (YAML or JSON; the `mcpServers` object that \
        desktop clients use is accepted unchanged), starts them, and serves their tools, prompts and \
        resources as one MCP server on stdin/stdout, names prefixed with `<server>__`.

        Examples:
          mcp-proxy --config proxy.yaml          serve over stdio (point your desktop client at this)
          mcp-proxy --config proxy.yaml --endpoint /mcp/support
                                                 serve one virtual endpoint (proxy.endpoints) over stdio
          mcp-proxy validate proxy.yaml          check a config and list every problem
          mcp-proxy demo                         serve the embedded demo config (two example servers)

        Logs go to stderr; stdout carries only MCP. Send SIGUSR1 for a stats snapshot on stderr.
        """,
        version: MCPProxyVersion.current,
        subcommands: [Stdio.self, Serve.self, Validate.self, Demo.self, Token.self, Check.self, Pins.self],
        defaultSubcommand: Stdio.self
    )
}

extension MCPProxyCommand {
    /// The default: serve one client over stdin/stdout.
    struct Stdio: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve over stdin/stdout (the default: `mcp-proxy --config FILE`).")

        @Option(name: [.short, .long], help: "The config file (YAML or JSON).")
        var config: String?

        @Option(name: .long, help: "Serve this virtual endpoint of proxy.endpoints (its path, e.g. /mcp/support) instead of the whole catalog.")
        var endpoint: String?

        @OptionGroup var runtime: RuntimeOptions

        func run() async throws {
            guard let path = config else {
                throw ValidationError("Missing --config FILE. Try 'mcp-proxy demo' for a ready-made setup, or 'mcp-proxy --help'.")
            }
            let loaded: ProxyConfig
            do {
                loaded = try ConfigLoader.load(path: path)
            } catch {
                FileHandle.standardError.write(Data("mcp-proxy: the config has problems:\n\(error)\n".utf8))
                throw ExitCode(2)
            }
            try await ProxyRunner(config: loaded, runtime: runtime, endpoint: endpoint).runOverStdio()
        }
    }
}

/// Options shared by the commands that run the proxy.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (overrides the config).")
    var logLevel: String?

    @Flag(name: .long, help: "Write a stats snapshot (JSON) to stderr when the proxy exits.")
    var statsOnExit = false
}

extension MCPProxyCommand {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a config file and report every problem with its key path.")

        @Argument(help: "The config file (YAML or JSON).")
        var file: String

        func run() async throws {
            do {
                let loaded = try ConfigLoader.load(path: file)
                for warning in loaded.warnings {
                    print("warning: \(warning)")
                }
                print("\(file): OK, \(loaded.servers.count) server(s): \(loaded.servers.map(\.name).joined(separator: ", "))")
            } catch {
                print("\(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the embedded demo config (two bundled example servers, 'alpha' and 'beta') over Streamable HTTP on 127.0.0.1, or over stdio.",
            discussion: "example-server must sit next to the mcp-proxy binary (swift build puts it there). The URL to connect to is printed on start.")

        @Flag(name: .long, help: "Print the embedded demo config and exit.")
        var printConfig = false

        @Flag(name: .long, help: "Serve over stdin/stdout instead of HTTP.")
        var stdio = false

        @Option(name: .long, help: "HOST:PORT for the HTTP fronts.")
        var listen = "127.0.0.1:8080"

        @Option(name: .long, help: "HOST:PORT for the admin listener (off unless given).")
        var admin: String?

        @OptionGroup var runtime: RuntimeOptions

        func run() async throws {
            let directory = ExecutableLocation.directory()
            if printConfig {
                print(DemoConfig.text(binDirectory: directory), terminator: "")
                return
            }
            let example = directory + "/example-server"
            guard FileManager.default.isExecutableFile(atPath: example) else {
                FileHandle.standardError.write(Data("mcp-proxy: \(example) not found; build it with 'swift build' (it builds every product)\n".utf8))
                throw ExitCode(2)
            }
            var loaded: ProxyConfig
            do {
                loaded = try DemoConfig.load(binDirectory: directory)
            } catch {
                FileHandle.standardError.write(Data("mcp-proxy: embedded demo config is invalid:\n\(error)\n".utf8))
                throw ExitCode(70)
            }
            guard stdio else {
                loaded.proxy = try NetworkOverrides.apply(listen: listen, admin: admin, to: loaded.proxy)
                try await NetworkRunner(config: loaded, runtime: runtime).run(announce: true)
                return
            }
            FileHandle.standardError.write(Data("""
            mcp-proxy demo: serving example servers 'alpha' and 'beta' on stdin/stdout.
            Try (one line each):
              {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"me","version":"1"}}}
              {"jsonrpc":"2.0","method":"notifications/initialized"}
              {"jsonrpc":"2.0","id":2,"method":"tools/list"}
              {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"alpha__echo","arguments":{"text":"hi"}}}

            """.utf8))
            try await ProxyRunner(config: loaded, runtime: runtime).runOverStdio()
        }
    }
}
