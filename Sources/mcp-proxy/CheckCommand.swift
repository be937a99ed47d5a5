import ArgumentParser
import Foundation
import Logging
import MCPConfig
import MCPGateway
import MCPProxy

extension MCPProxyCommand {
    /// `mcp-proxy check CONFIG`: validates the config, then starts every upstream on its own,
    /// initializes it, lists what it offers, times the handshake and stops it again.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a config, then start, initialize, list and stop every upstream in it, and print a table.",
            discussion: """
            Each upstream (and each of its replicas) is started through the transport the proxy \
            would use (a child process, or a Streamable HTTP, legacy SSE or WebSocket connection), \
            initialized, asked for its tools, prompts, resources and resource templates (every \
            page), and stopped; all of them at once, each within --timeout. HANDSHAKE is the time \
            from starting the transport (spawning the child, or connecting) to the initialize \
            answer. Counts are what the upstream lists, before the config's filters; '-' means it \
            does not offer that list.

            Exit status: 0 when every upstream is fine, 1 when any failed, 2 when the config is invalid.
            """)

        @Argument(help: "The config file (YAML or JSON).")
        var file: String

        @Flag(name: .long, help: "Print one JSON document instead of the table.")
        var json = false

        @Option(name: .long, help: "Seconds each upstream may take for the whole check (start, initialize, lists).")
        var timeout: Double = 15

        @Option(name: .long, help: "Log level on stderr: trace, debug, info, notice, warning, error, critical. The default shows only critical messages: what goes wrong with an upstream is in the table.")
        var logLevel: String = "critical"

        func validate() throws {
            guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)") }
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        }

        func run() async throws {
            let level = Logger.Level(rawValue: logLevel) ?? .critical
            LoggingBootstrap.once(level: level)
            var logger = Logger(label: "mcp-proxy.check")
            logger.logLevel = level

            let config: ProxyConfig
            do {
                config = try ConfigLoader.load(path: file)
            } catch {
                let problems = error.problems.map(\.description)
                if json {
                    print(CheckOutput.json(["config": file, "ok": false, "configProblems": problems, "upstreams": [Any]()]))
                } else {
                    print("\(file): the config has problems:\n" + problems.joined(separator: "\n"))
                }
                throw ExitCode(2)
            }
            for warning in config.warnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }

            let limit = Duration.milliseconds(Int64((timeout * 1000).rounded()))
            let rows: [UpstreamCheck.Row]
            do {
                rows = try await UpstreamCheck.run(config: config, timeout: limit, logger: logger)
            } catch {
                if json {
                    print(CheckOutput.json(["config": file, "ok": false, "configProblems": ["\(error)"], "upstreams": [Any]()]))
                } else {
                    print("\(file): the config has problems:\n\(error)")
                }
                throw ExitCode(2)
            }
            let healthy = rows.allSatisfy(\.isHealthy)
            if json {
                print(CheckOutput.json([
                    "config": file,
                    "ok": healthy,
                    "timeoutSeconds": timeout,
                    "upstreams": rows.map(CheckOutput.object),
                ]))
            } else {
                print(CheckOutput.table(rows), terminator: "")
                let failed = rows.filter { !$0.isHealthy }.count
                let noun = rows.count == 1 ? "upstream" : "upstreams"
                print(failed == 0 ? "\(rows.count) \(noun) checked: all fine" : "\(rows.count) \(noun) checked: \(failed) failed")
            }
            if !healthy { throw ExitCode(1) }
        }
    }
}

/// The check's table and JSON.
enum CheckOutput {
    static let columns = ["UPSTREAM", "TRANSPORT", "ERA", "VERSION", "SERVER", "TOOLS", "PROMPTS", "RESOURCES", "TEMPLATES", "HANDSHAKE", "PROBLEM"]

    /// One line a row, columns padded to their widest cell; the problem column last and unpadded.
    static func table(_ rows: [UpstreamCheck.Row]) -> String {
        let cells = [columns] + rows.map(cells)
        var widths = [Int](repeating: 0, count: columns.count)
        for line in cells {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var text = ""
        for line in cells {
            var parts: [String] = []
            for (index, cell) in line.enumerated() {
                let last = index == line.count - 1
                parts.append(last ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0))
            }
            var joined = parts.joined(separator: "  ")
            while joined.hasSuffix(" ") { joined.removeLast() }
            text += joined + "\n"
        }
        return text
    }

    static func cells(_ row: UpstreamCheck.Row) -> [String] {
        let report = row.report
        let count: (Int?) -> String = { $0.map(String.init) ?? "-" }
        let server = report.serverName.map { name in report.serverVersion.map { "\(name) \($0)" } ?? name } ?? "-"
        var problem = report.problem ?? ""
        if let last = row.standardError.last {
            problem += " (stderr: \(last))"
        }
        return [
            row.label, row.transport, row.era, report.protocolVersion ?? "-", server,
            count(report.tools), count(report.prompts), count(report.resources), count(report.resourceTemplates),
            report.handshake.map(milliseconds) ?? "-", problem,
        ]
    }

    /// "12 ms", "3.4 ms".
    static func milliseconds(_ duration: Duration) -> String {
        let value = millisecondsValue(duration)
        return value < 10 ? String(format: "%.1f ms", value) : String(format: "%.0f ms", value)
    }

    static func millisecondsValue(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func object(_ row: UpstreamCheck.Row) -> [String: Any] {
        let report = row.report
        let server: Any = report.serverName.map { ["name": $0, "version": report.serverVersion ?? ""] as [String: Any] } ?? NSNull()
        let count: (Int?) -> Any = { $0.map { $0 as Any } ?? NSNull() }
        return [
            "name": report.upstream,
            "replica": report.replica,
            "transport": row.transport,
            "era": row.era,
            "protocolVersion": report.protocolVersion ?? NSNull(),
            "server": server,
            "tools": count(report.tools),
            "prompts": count(report.prompts),
            "resources": count(report.resources),
            "resourceTemplates": count(report.resourceTemplates),
            "handshakeMs": report.handshake.map { (millisecondsValue($0) * 10).rounded() / 10 as Any } ?? NSNull(),
            "ok": report.isHealthy,
            "problem": report.problem ?? NSNull(),
            "stderr": row.standardError,
        ]
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
