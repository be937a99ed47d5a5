import CMCPProxy
import MCPConfig
import MCPGateway
import MCPProxy
import MCPSecurity

// The functions of include/mcpproxy.h (target CMCPProxy); the header documents each one.

/// The library's version (`mcpproxy_version`): the proxy's own, copied once, never written or
/// freed (so sharing the pointer is safe).
nonisolated(unsafe) private let versionText: UnsafeMutablePointer<CChar> = strdup(MCPProxyVersion.current) ?? {
    let empty = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    empty.initialize(to: 0)
    return empty
}()

private func handle(_ pointer: OpaquePointer?) -> EmbeddedProxy? {
    pointer.map { Unmanaged<EmbeddedProxy>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
}

private func code(_ error: GatewayError) -> Int32 {
    switch error.kind {
    case .config: return MCPPROXY_ERR_CONFIG
    case .state: return MCPPROXY_ERR_STATE
    case .start: return MCPPROXY_ERR_START
    }
}

private func duration(seconds: Double) -> Duration? {
    guard seconds >= 0, seconds.isFinite else { return nil }
    return .milliseconds(Int64((seconds * 1000).rounded()))
}

@_cdecl("mcpproxy_abi_version")
public func mcpproxyABIVersion() -> UInt32 {
    UInt32(MCPPROXY_ABI_VERSION)
}

@_cdecl("mcpproxy_version")
public func mcpproxyVersion() -> UnsafePointer<CChar> {
    UnsafePointer(versionText)
}

@_cdecl("mcpproxy_create")
public func mcpproxyCreate(
    _ configText: UnsafePointer<CChar>?, _ sourceName: UnsafePointer<CChar>?,
    _ errorOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> OpaquePointer? {
    CString.report(nil, to: errorOut)
    guard let text = CString.text(configText) else {
        CString.report("config_text is NULL; pass the config as YAML or JSON text", to: errorOut)
        return nil
    }
    let config: ProxyConfigResult = EmbeddedProxy.load(text: text, sourceName: CString.text(sourceName) ?? "<config>")
    switch config {
    case .failure(let failure):
        CString.report(failure.message, to: errorOut)
        return nil
    case .success(let loaded):
        let proxy = EmbeddedProxy(config: loaded)
        // Build every part now, so that a key that cannot be read fails here, not at start.
        let prepared = BlockingBridge.run { () async -> GatewayError? in
            do throws(GatewayError) {
                try await proxy.gateway.prepare(for: .network)
                return nil
            } catch {
                return error
            }
        }
        if let prepared {
            BlockingBridge.run { await proxy.stop(grace: Duration.zero) }
            CString.report(prepared.message, to: errorOut)
            return nil
        }
        return OpaquePointer(Unmanaged.passRetained(proxy).toOpaque())
    }
}

typealias ProxyConfigResult = Result<ProxyConfig, GatewayError>

@_cdecl("mcpproxy_start")
public func mcpproxyStart(_ pointer: OpaquePointer?, _ front: Int32, _ errorOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    CString.report(nil, to: errorOut)
    guard let proxy = handle(pointer) else {
        CString.report("the proxy handle is NULL", to: errorOut)
        return MCPPROXY_ERR_ARGUMENT
    }
    let kind: Gateway.Front
    switch front {
    case MCPPROXY_FRONT_NETWORK: kind = .network
    case MCPPROXY_FRONT_STDIO: kind = .stdio
    default:
        CString.report("front must be MCPPROXY_FRONT_NETWORK (1) or MCPPROXY_FRONT_STDIO (2), got \(front)", to: errorOut)
        return MCPPROXY_ERR_ARGUMENT
    }
    return outcome(of: { () async throws(GatewayError) in try await proxy.start(kind) }, errorOut: errorOut)
}

/// Runs a gateway operation to completion on the calling thread: MCPPROXY_OK, or the code of
/// its error with the message in `*errorOut`.
private func outcome(
    of operation: @escaping @Sendable () async throws(GatewayError) -> Void,
    errorOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    let failure = BlockingBridge.run { () async -> GatewayError? in
        do throws(GatewayError) {
            try await operation()
            return nil
        } catch {
            return error
        }
    }
    guard let failure else { return MCPPROXY_OK }
    CString.report(failure.message, to: errorOut)
    return code(failure)
}

@_cdecl("mcpproxy_addresses")
public func mcpproxyAddresses(_ pointer: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    guard let addresses = handle(pointer)?.gateway.addresses else { return nil }
    return CString.copy(addresses.json)
}

@_cdecl("mcpproxy_wait")
public func mcpproxyWait(_ pointer: OpaquePointer?, _ timeoutSeconds: Double) -> Int32 {
    guard let proxy = handle(pointer) else { return MCPPROXY_ERR_ARGUMENT }
    guard proxy.gateway.addresses != nil else { return MCPPROXY_ERR_STATE }
    let stopped = BlockingBridge.run(timeout: duration(seconds: timeoutSeconds)) {
        await proxy.gateway.waitUntilStopped()
        return true
    }
    return stopped == true ? MCPPROXY_OK : MCPPROXY_ERR_TIMEOUT
}

@_cdecl("mcpproxy_stop")
public func mcpproxyStop(_ pointer: OpaquePointer?, _ graceSeconds: Double, _ errorOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    CString.report(nil, to: errorOut)
    guard let proxy = handle(pointer) else {
        CString.report("the proxy handle is NULL", to: errorOut)
        return MCPPROXY_ERR_ARGUMENT
    }
    let grace = duration(seconds: graceSeconds)
    BlockingBridge.run { await proxy.stop(grace: grace) }
    return MCPPROXY_OK
}

@_cdecl("mcpproxy_destroy")
public func mcpproxyDestroy(_ pointer: OpaquePointer?) {
    guard let pointer, let proxy = handle(pointer) else { return }
    BlockingBridge.run { await proxy.stop(grace: nil) }
    Unmanaged<EmbeddedProxy>.fromOpaque(UnsafeRawPointer(pointer)).release()
}

@_cdecl("mcpproxy_stats_json")
public func mcpproxyStatsJSON(_ pointer: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    handle(pointer).flatMap { CString.copy($0.gateway.statsJSON()) }
}

@_cdecl("mcpproxy_metrics_text")
public func mcpproxyMetricsText(_ pointer: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    handle(pointer).flatMap { CString.copy($0.gateway.prometheusText()) }
}

@_cdecl("mcpproxy_upstreams_json")
public func mcpproxyUpstreamsJSON(_ pointer: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    handle(pointer).flatMap { CString.copy($0.upstreamsJSON()) }
}

@_cdecl("mcpproxy_reload")
public func mcpproxyReload(_ pointer: OpaquePointer?, _ configText: UnsafePointer<CChar>?, _ errorOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    CString.report(nil, to: errorOut)
    guard let proxy = handle(pointer), let text = CString.text(configText) else {
        CString.report("the proxy handle or config_text is NULL", to: errorOut)
        return MCPPROXY_ERR_ARGUMENT
    }
    let config: ProxyConfigResult = EmbeddedProxy.load(text: text, sourceName: "<reload>")
    switch config {
    case .failure(let failure):
        CString.report(failure.message, to: errorOut)
        return code(failure)
    case .success(let loaded):
        return outcome(of: { () async throws(GatewayError) in try await proxy.reload(loaded) }, errorOut: errorOut)
    }
}

@_cdecl("mcpproxy_add_policy")
public func mcpproxyAddPolicy(
    _ pointer: OpaquePointer?, _ methodGlob: UnsafePointer<CChar>?, _ nameGlob: UnsafePointer<CChar>?,
    _ function: mcpproxy_policy_fn?, _ userData: UnsafeMutableRawPointer?,
    _ errorOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int64 {
    CString.report(nil, to: errorOut)
    guard let proxy = handle(pointer), let function else {
        CString.report("the proxy handle or the policy function is NULL", to: errorOut)
        return -Int64(MCPPROXY_ERR_ARGUMENT)
    }
    let policy = HostPolicy(function: function, userData: userData)
    do {
        return try proxy.policies.add(methods: CString.text(methodGlob), names: CString.text(nameGlob)) { question in
            policy.ask(question)
        }
    } catch {
        CString.report("invalid glob: \(error)", to: errorOut)
        return -Int64(MCPPROXY_ERR_ARGUMENT)
    }
}

@_cdecl("mcpproxy_remove_policy")
public func mcpproxyRemovePolicy(_ pointer: OpaquePointer?, _ policyID: Int64) -> Int32 {
    guard let proxy = handle(pointer) else { return MCPPROXY_ERR_ARGUMENT }
    return proxy.policies.remove(policyID) ? MCPPROXY_OK : MCPPROXY_ERR_ARGUMENT
}

@_cdecl("mcpproxy_string_free")
public func mcpproxyStringFree(_ string: UnsafeMutablePointer<CChar>?) {
    free(string)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
