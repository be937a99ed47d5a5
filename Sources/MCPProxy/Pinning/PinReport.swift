import JSONRPC
import MCPSecurity

/// Builds the rows of a pin report: every listed tool with its state, and every pinned tool
/// that is not listed (`missing`).
public enum PinReport {
    /// - Parameters:
    ///   - file: the pins.
    ///   - listed: server -> tool -> its fingerprint and canonical definition as listed now.
    ///   - servers: servers whose pins count as `missing` when not listed; nil takes the servers
    ///     in `listed` (a server that could not be listed says nothing about its pins).
    public static func rows(file: PinFile, listed: [String: [String: (ToolFingerprint, JSONValue)]],
                            mode: ToolPinning.Mode, onNew: ToolPinning.OnNew, servers: Set<String>? = nil) -> [PinReportRow] {
        var rows: [PinReportRow] = []
        for (server, tools) in listed {
            for (tool, (fingerprint, definition)) in tools {
                let pin = file.pin(server: server, tool: tool)
                rows.append(PinReportRow(server: server, tool: tool, state: PinState.of(pin: pin, current: fingerprint, mode: mode, onNew: onNew),
                                         current: fingerprint, currentDefinition: definition, pin: pin))
            }
        }
        let covered = servers ?? Set(listed.keys)
        for (server, pins) in file.servers where covered.contains(server) {
            for (tool, pin) in pins where listed[server]?[tool] == nil {
                rows.append(PinReportRow(server: server, tool: tool, state: .missing, current: nil, currentDefinition: nil, pin: pin))
            }
        }
        return rows.sorted { ($0.server, $0.tool) < ($1.server, $1.tool) }
    }
}
