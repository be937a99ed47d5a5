import Logging
import MCPConfig
import MCPProxy
import MCPStats

/// Turns `proxy.policyHook` and `proxy.guards` into the proxy's asynchronous call gate and
/// result guard (``ProxyOptions/callGate``, ``ProxyOptions/resultGuard``). Each configuration
/// generation (start, every reload) builds its own; with neither section both stay nil and the
/// request path is unchanged.
enum GovernanceAssembly {
    /// Sets the gate and the guard of `options` from `config`.
    static func apply(_ config: ProxyConfig, to options: inout ProxyOptions, stats: StatsRegistry, logger: Logger) throws {
        var hook: PolicyHookClient?
        if let settings = config.proxy.policyHook {
            let configuration = PolicyHookClient.Configuration(
                url: settings.url, methods: settings.methods,
                timeout: .nanoseconds(Int64((settings.timeoutMs * 1_000_000).rounded())),
                failOpen: settings.failOpen, response: settings.response)
            do {
                hook = try PolicyHookClient(configuration, stats: stats, logger: logger)
            } catch {
                throw ProxyAssembly.Failure(description: "proxy.policyHook.methods: \(error)")
            }
            options.callGate = hook
        }
        var guards: ResultGuards?
        if let settings = config.proxy.guards, settings.isActive {
            do {
                guards = try ResultGuards(maxResultBytes: settings.maxResultBytes, redactSecrets: settings.redactSecrets,
                                          redactPatterns: settings.redactPatterns, stats: stats)
            } catch {
                throw ProxyAssembly.Failure(description: "proxy.guards.redactPatterns: \(error)")
            }
        }
        options.resultGuard = GovernanceResultGuard(guards: guards, hook: hook)
    }
}
