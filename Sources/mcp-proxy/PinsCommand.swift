import ArgumentParser
import Foundation
import Logging
import MCPConfig
import MCPGateway
import MCPProxy

extension MCPProxyCommand {
    /// `mcp-proxy pins list|approve`: tool-definition pinning (`proxy.pinning`).
    struct Pins: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show and approve tool-definition pins (proxy.pinning).",
            discussion: """
            Both commands start every upstream of the config on its own (as `mcp-proxy check` \
            does), list its tools, compare each with the pin file of proxy.pinning, and stop the \
            upstreams again.

            Examples:
              mcp-proxy pins list --config proxy.yaml
              mcp-proxy pins approve --config proxy.yaml tickets/create_ticket
            """,
            subcommands: [List.self, Approve.self])
    }
}

/// Options both pins commands take.
struct PinsOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "The config file (YAML or JSON) with a proxy.pinning section.")
    var config: String

    @Option(name: .long, help: "Seconds each upstream may take to start and answer initialize, and then each tools/list page.")
    var timeout: Double = 15

    @Option(name: .long, help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "critical"

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
    }

    var limit: Duration { .milliseconds(Int64((timeout * 1000).rounded())) }

    func logger() -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .critical
        LoggingBootstrap.once(level: level)
        var logger = Logger(label: "mcp-proxy.pins")
        logger.logLevel = level
        return logger
    }

    /// The config, or exit 2 with its problems.
    func load() throws -> ProxyConfig {
        do {
            return try ConfigLoader.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("\(config): the config has problems:\n\(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension MCPProxyCommand.Pins {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each tool's state against the pin file: pinned, changed, new, quarantined or missing.",
            discussion: """
            STATE is pinned (as approved), changed (differs from its pin; still served in mode \
            warn or off), new (no pin yet), quarantined (withheld by the proxy in mode enforce: \
            changed, or new with onNew: quarantine) or missing (pinned, no longer listed). For \
            each tool whose definition differs from its pin, what changed is printed under it.

            Exit status: 0, or 1 when an upstream could not be listed, 2 when the config is invalid.
            """)

        @OptionGroup var options: PinsOptions

        @Flag(name: .long, help: "Print one JSON document instead of the table.")
        var json = false

        @Argument(help: "Only this server, or this tool of it: SERVER or SERVER/TOOL.")
        var target: String?

        func run() async throws {
            let config = try options.load()
            let inspection: ToolPins.Inspection
            do {
                inspection = try await ToolPins.inspect(config: config, selector: PinSelector(parsing: target), timeout: options.limit, logger: options.logger())
            } catch {
                FileHandle.standardError.write(Data("mcp-proxy pins list: \(error)\n".utf8))
                throw ExitCode(2)
            }
            if json {
                let object = PinReportJSON.object(path: inspection.path, mode: inspection.mode, onNew: inspection.onNew,
                                                  rows: inspection.rows, problems: inspection.problems)
                print(PrettyJSON.text(object))
            } else {
                print(PinsOutput.table(inspection), terminator: "")
            }
            if !inspection.problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve the current tool definitions: write their fingerprints into the pin file.",
            discussion: """
            Starts the upstreams, lists their tools and writes the definitions of every tool (or \
            of SERVER's, or of SERVER/TOOL) into the pin file, atomically; other pins stay. A \
            running proxy uses them after a reload (SIGHUP or POST /api/reload), or at once with \
            POST /api/pins/approve on its admin listener.

            Exit status: 0, or 1 when an upstream could not be listed, 2 when the config is invalid.
            """)

        @OptionGroup var options: PinsOptions

        @Argument(help: "What to approve: SERVER or SERVER/TOOL (default: every tool of every server).")
        var target: String?

        func run() async throws {
            let config = try options.load()
            let approval: ToolPins.Approval
            do {
                approval = try await ToolPins.approve(config: config, selector: PinSelector(parsing: target), timeout: options.limit, logger: options.logger())
            } catch {
                FileHandle.standardError.write(Data("mcp-proxy pins approve: \(error)\n".utf8))
                throw ExitCode(2)
            }
            for (server, problem) in approval.inspection.problems.sorted(by: { $0.key < $1.key }) {
                print("\(server): not listed, its pins are unchanged: \(problem)")
            }
            if approval.approved.isEmpty {
                print("nothing to approve: every listed tool\(target.map { " of \($0)" } ?? "") matches its pin (\(approval.inspection.path))")
            } else {
                for tool in approval.approved { print("approved \(tool)") }
                print("\(approval.approved.count) pin\(approval.approved.count == 1 ? "" : "s") written to \(approval.inspection.path)")
            }
            if !approval.inspection.problems.isEmpty { throw ExitCode(1) }
        }
    }
}

/// The pins table.
enum PinsOutput {
    static func table(_ inspection: ToolPins.Inspection) -> String {
        var cells = [["SERVER", "TOOL", "STATE", "FINGERPRINT", "PINNED"]]
        var details: [Int: [String]] = [:]
        for row in inspection.rows {
            cells.append([row.server, row.tool, row.state.rawValue, row.current?.short ?? "-", row.pin?.fingerprint.short ?? "-"])
            if let pin = row.pin, let current = row.currentDefinition, pin.fingerprint != row.current {
                details[cells.count - 1] = PinDiff.lines(old: pin.definition, new: current)
            }
        }
        var widths = [Int](repeating: 0, count: cells[0].count)
        for line in cells { for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var text = "pin file: \(inspection.path) (mode \(inspection.mode.rawValue), onNew \(inspection.onNew.rawValue))\n"
        for (index, line) in cells.enumerated() {
            var joined = line.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            while joined.hasSuffix(" ") { joined.removeLast() }
            text += joined + "\n"
            for detail in details[index] ?? [] { text += "    \(detail)\n" }
        }
        if inspection.rows.isEmpty { text += "(no tools listed and no pins)\n" }
        for (server, problem) in inspection.problems.sorted(by: { $0.key < $1.key }) {
            text += "\(server): could not be listed: \(problem)\n"
        }
        return text
    }
}
