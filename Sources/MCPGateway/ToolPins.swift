import JSONRPC
import Logging
import MCPConfig
import MCPProxy
import MCPSecurity

/// `mcp-proxy pins list` and `pins approve`: every upstream of a config started on its own, its
/// tools listed and compared with the pin file of `proxy.pinning`.
public enum ToolPins {
    /// What listing the upstreams found.
    public struct Inspection: Sendable {
        /// The pin file's path (resolved against the config file's directory).
        public var path: String
        /// `proxy.pinning.mode` (`off` when the config has no pinning section).
        public var mode: ToolPinning.Mode
        /// `proxy.pinning.onNew`.
        public var onNew: ToolPinning.OnNew
        /// The pins as read.
        public var file: PinFile
        /// Each tool listed, and each pinned tool of a listed server that is no longer listed.
        public var rows: [PinReportRow]
        /// Servers that could not be listed, with what went wrong (their pins are left alone).
        public var problems: [String: String]
    }

    /// The pin file of `config`, or a problem that names the setting to add.
    public static func pinFilePath(_ config: ProxyConfig) throws(PinFileError) -> String {
        guard let settings = config.proxy.pinning else {
            throw PinFileError(path: "-", "the config has no proxy.pinning section; add one with mode and file (see Documentation/Governance.md)")
        }
        return settings.resolvedFile(configPath: config.sourcePath)
    }

    /// Starts the upstreams of `config` (or only `selector.server`), lists their tools and
    /// compares them with the pin file. Every child process started has exited when it returns.
    public static func inspect(config: ProxyConfig, selector: PinSelector = .all, timeout: Duration, logger: Logger) async throws -> Inspection {
        let path = try pinFilePath(config)
        let file = try PinFile.load(path: path)
        let settings = config.proxy.pinning
        let mode = settings.map { PinningAssembly.mode($0.mode) } ?? .off
        let onNew = settings.map { PinningAssembly.onNew($0.onNew) } ?? .allow
        if let server = selector.server, !config.servers.contains(where: { $0.name == server }) {
            throw PinFileError(path: path, "no server '\(server)' in the config; servers: \(config.servers.map(\.name).joined(separator: ", "))")
        }
        let httpClient = ProxyAssembly.sharedHTTPClient(for: config)
        let definitions: [UpstreamDefinition]
        let options: ProxyOptions
        do {
            definitions = try ProxyAssembly.upstreams(from: config, logger: logger, httpClient: httpClient)
            options = try ProxyAssembly.options(from: config)
        } catch {
            await httpClient?.shutdown()
            throw error
        }
        let chosen = definitions.filter { selector.server == nil || $0.name == selector.server }
        let results = await withTaskGroup(of: (String, Result<[JSONValue], UpstreamError>).self) { group in
            for definition in chosen {
                group.addTask { (definition.name, await definition.listTools(options: options, timeout: timeout, logger: logger)) }
            }
            var results: [String: Result<[JSONValue], UpstreamError>] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        await httpClient?.shutdown()
        await UpstreamProcessShutdown.endAll(config: config, logger: logger)

        var listed: [String: [String: (ToolFingerprint, JSONValue)]] = [:]
        var problems: [String: String] = [:]
        for (server, result) in results {
            switch result {
            case .success(let tools):
                var byName: [String: (ToolFingerprint, JSONValue)] = [:]
                for tool in tools {
                    guard let name = tool["name"]?.stringValue else { continue }
                    byName[name] = (ToolFingerprint(definition: tool), ToolFingerprint.canonicalDefinition(tool))
                }
                listed[server] = byName
            case .failure(let error):
                problems[server] = error.message
            }
        }
        var rows = PinReport.rows(file: file, listed: listed, mode: mode, onNew: onNew)
        if let tool = selector.tool { rows = rows.filter { $0.tool == tool } }
        return Inspection(path: path, mode: mode, onNew: onNew, file: file, rows: rows, problems: problems)
    }

    /// What an approval did.
    public struct Approval: Sendable {
        /// The inspection it was based on (rows before the approval).
        public var inspection: Inspection
        /// The tools whose pins were written, as `server/tool`.
        public var approved: [String]
    }

    /// Starts the upstreams, lists their tools and writes the current definitions of the tools
    /// `selector` covers into the pin file (atomically; other pins are kept). A running proxy
    /// uses them after a reload (SIGHUP, `POST /api/reload`) or `POST /api/pins/approve`.
    public static func approve(config: ProxyConfig, selector: PinSelector, timeout: Duration, logger: Logger) async throws -> Approval {
        let inspection = try await inspect(config: config, selector: selector, timeout: timeout, logger: logger)
        let changes = inspection.rows.filter { row in
            guard let current = row.current, row.currentDefinition != nil else { return false }
            return selector.covers(server: row.server, tool: row.tool) && row.pin?.fingerprint != current
        }
        guard !changes.isEmpty else { return Approval(inspection: inspection, approved: []) }
        // Read again right before writing: a running proxy may have pinned new tools meanwhile.
        var file = try PinFile.load(path: inspection.path)
        for row in changes {
            guard let current = row.current, let definition = row.currentDefinition else { continue }
            file.servers[row.server, default: [:]][row.tool] = PinFile.Pin(fingerprint: current, definition: definition, approvedAt: PinFile.timestamp())
        }
        try file.save(path: inspection.path)
        return Approval(inspection: inspection, approved: changes.map { "\($0.server)/\($0.tool)" })
    }
}
