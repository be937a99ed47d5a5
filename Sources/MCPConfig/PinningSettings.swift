import Foundation

/// `proxy.pinning`: tool-definition pinning. The proxy fingerprints every tool an upstream lists
/// and compares it with the approved fingerprint in `file`, so that a tool cannot change (a
/// "rug pull": a new description that steers the model) without an operator approving it.
public struct PinningSettings: Sendable, Equatable {
    /// What the proxy does when a tool differs from its pin.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// Nothing is fingerprinted or compared (the default).
        case off
        /// A changed tool stays listed and callable; the change is logged and counted.
        case warn
        /// A changed tool is quarantined: it leaves `tools/list` and calls to it are refused
        /// until it is approved.
        case enforce
    }

    /// What happens to a tool that has no pin yet.
    public enum OnNew: String, Sendable, Equatable, CaseIterable {
        /// It is pinned on first sight (and the file written).
        case allow
        /// It waits for approval (`mcp-proxy pins approve`); in `enforce` it is quarantined until then.
        case quarantine
    }

    /// `mode`: `off`, `warn` or `enforce` (default `off`).
    public var mode: Mode
    /// `file`: the pin file as written in the config (approved fingerprints and definitions).
    /// A relative path is relative to the config file's directory (``resolvedFile(configPath:)``).
    public var file: String
    /// `onNew`: `allow` (default) or `quarantine`.
    public var onNew: OnNew

    /// Creates settings; the defaults are those of a `pinning` section with only `file`.
    public init(mode: Mode = .off, file: String, onNew: OnNew = .allow) {
        self.mode = mode
        self.file = file
        self.onNew = onNew
    }

    /// The pin file's path: `file` as written when absolute; otherwise resolved against the
    /// directory of the config file at `configPath` (the current directory when the config did
    /// not come from a file).
    public func resolvedFile(configPath: String?) -> String {
        if file.hasPrefix("/") { return file }
        guard let configPath else { return file }
        let directory = URL(fileURLWithPath: configPath).deletingLastPathComponent()
        return directory.appendingPathComponent(file).standardizedFileURL.path
    }
}
