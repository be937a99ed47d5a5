import Dispatch
import Foundation
import MCPStats

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGUSR1 writes a stats snapshot to stderr; SIGHUP reloads (network gateway); SIGINT and
/// SIGTERM stop the proxy gracefully.
final class SignalHandlers {
    private let queue = DispatchQueue(label: "mcp-proxy.signals")
    /// Kept alive for as long as the handlers should fire.
    private var sources: [any DispatchSourceSignal] = []

    init(stats: StatsRegistry) {
        install(SIGUSR1) {
            let text = "== mcp-proxy stats ==\n" + stats.jsonText() + "\n" + stats.prometheusText()
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    private init() {}

    /// From now on SIGINT and SIGTERM are ignored while the returned value lives: for the last,
    /// bounded step of shutdown (ending the upstream processes), which a second Ctrl-C must not
    /// cut short, or the upstreams the parent-death signal misses would be left running.
    static func holdingTermination() -> SignalHandlers {
        let handlers = SignalHandlers()
        handlers.onTerminate {}
        return handlers
    }

    /// Calls `action` on SIGHUP (reload the configuration).
    func onReload(_ action: @escaping @Sendable () -> Void) {
        install(SIGHUP, action)
    }

    /// Calls `action` on SIGINT or SIGTERM.
    func onTerminate(_ action: @escaping @Sendable () -> Void) {
        for signal in [SIGINT, SIGTERM] {
            install(signal, action)
        }
    }

    private func install(_ number: Int32, _ handler: @escaping @Sendable () -> Void) {
        _ = signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        sources.append(source)
    }
}
