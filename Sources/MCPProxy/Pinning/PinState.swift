import JSONRPC
import MCPSecurity

/// How a tool stands against the pin file.
public enum PinState: String, Sendable, Equatable, CaseIterable {
    /// Listed with the approved fingerprint.
    case pinned
    /// Listed with another fingerprint than its pin, and still served (`mode: warn` or `off`).
    case changed
    /// Listed without a pin, and served (`onNew: allow` pins it on first sight).
    case new
    /// Withheld by the proxy (`mode: enforce`): changed since its pin, or new with
    /// `onNew: quarantine`. It is not listed and calls to it are refused until it is approved.
    case quarantined
    /// Pinned, but the upstream no longer lists it.
    case missing

    /// The state of a tool whose pin is `pin` and that is listed now with `current` (nil: not
    /// listed).
    public static func of(pin: PinFile.Pin?, current: ToolFingerprint?, mode: ToolPinning.Mode, onNew: ToolPinning.OnNew) -> PinState {
        guard let current else { return .missing }
        guard let pin else {
            return mode == .enforce && onNew == .quarantine ? .quarantined : .new
        }
        if pin.fingerprint == current { return .pinned }
        return mode == .enforce ? .quarantined : .changed
    }
}

/// One tool as the proxy has seen it, with its pin: a row of `mcp-proxy pins list` and of the
/// admin API's `GET /api/pins`.
public struct PinReportRow: Sendable, Equatable {
    /// The server (upstream) name.
    public var server: String
    /// The tool's name as the server lists it.
    public var tool: String
    /// How it stands.
    public var state: PinState
    /// Its fingerprint as listed now; nil when it is not listed (`missing`).
    public var current: ToolFingerprint?
    /// Its definition as listed now, in canonical form; nil when it is not listed.
    public var currentDefinition: JSONValue?
    /// Its pin; nil when it has none.
    public var pin: PinFile.Pin?

    /// Creates a row.
    public init(server: String, tool: String, state: PinState, current: ToolFingerprint?, currentDefinition: JSONValue?, pin: PinFile.Pin?) {
        self.server = server
        self.tool = tool
        self.state = state
        self.current = current
        self.currentDefinition = currentDefinition
        self.pin = pin
    }
}
