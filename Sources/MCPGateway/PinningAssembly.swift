import Logging
import MCPConfig
import MCPProxy
import MCPStats

/// `proxy.pinning` turned into the proxy's ``ToolPinning``.
enum PinningAssembly {
    /// The pinning of `config`; nil when `proxy.pinning` is absent or `mode: off` (then nothing
    /// is fingerprinted anywhere). Reads the pin file; a file that cannot be read or parsed
    /// fails the start (or the reload), so a broken file never turns pinning off silently.
    ///
    /// - Parameter previous: the pinning of the configuration this one replaces, whose
    ///   observations carry over so known changes are not logged and counted again.
    static func pinning(config: ProxyConfig, stats: StatsRegistry, logger: Logger, previous: ToolPinning?) throws -> ToolPinning? {
        guard let settings = config.proxy.pinning, settings.mode != .off else { return nil }
        do {
            return try ToolPinning(
                mode: mode(settings.mode), onNew: onNew(settings.onNew), path: settings.resolvedFile(configPath: config.sourcePath),
                stats: stats, logger: logger, carryingOver: previous)
        } catch {
            throw ProxyAssembly.Failure(description: "proxy.pinning.file: \(error)")
        }
    }

    static func mode(_ mode: PinningSettings.Mode) -> ToolPinning.Mode {
        switch mode {
        case .off: return .off
        case .warn: return .warn
        case .enforce: return .enforce
        }
    }

    static func onNew(_ onNew: PinningSettings.OnNew) -> ToolPinning.OnNew {
        onNew == .quarantine ? .quarantine : .allow
    }
}
