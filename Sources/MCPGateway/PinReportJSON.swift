import JSONRPC
import MCPProxy

/// The JSON of a pin report, shared by `mcp-proxy pins list --json` and `GET /api/pins`.
public enum PinReportJSON {
    /// `{"file", "mode", "onNew", "tools": [{"server", "tool", "state", "fingerprint", "pinned",
    /// "approvedAt", "changes"}], "problems": {server: message}}`; `changes` (for a tool whose
    /// pin differs) is the diff of its definition, one string per line.
    public static func object(path: String, mode: ToolPinning.Mode, onNew: ToolPinning.OnNew, rows: [PinReportRow],
                              problems: [String: String] = [:]) -> JSONValue {
        let tools: [JSONValue] = rows.map { row in
            var object: [String: JSONValue] = [
                "server": .string(row.server),
                "tool": .string(row.tool),
                "state": .string(row.state.rawValue),
                "fingerprint": row.current.map { .string($0.value) } ?? .null,
                "pinned": row.pin.map { .string($0.fingerprint.value) } ?? .null,
            ]
            if let pin = row.pin { object["approvedAt"] = .string(pin.approvedAt) }
            if let pin = row.pin, let current = row.currentDefinition, pin.fingerprint != row.current {
                object["changes"] = .array(PinDiff.lines(old: pin.definition, new: current).map { .string($0) })
            }
            return .object(object)
        }
        return .object([
            "file": .string(path),
            "mode": .string(mode.rawValue),
            "onNew": .string(onNew.rawValue),
            "tools": .array(tools),
            "problems": .object(problems.mapValues { .string($0) }),
        ])
    }
}
