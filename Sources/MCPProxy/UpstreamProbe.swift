import JSONRPC

/// The result of checking one upstream.
public struct UpstreamProbeResult: Sendable, Equatable {
    /// The upstream's configured name.
    public var upstream: String
    /// Whether it can serve.
    public var ready: Bool
    /// Its serverInfo when ready, or what went wrong.
    public var detail: String
}

extension MCPProxy {
    /// Each upstream's readiness from the pools' own sessions: a shared upstream is ready when
    /// one of its sessions is open; nothing is started or initialized for the check. The first
    /// call also starts the eager shared upstreams and waits (up to the initialize timeout) for
    /// those still starting, so a readiness check right after start-up tells the truth.
    public func probeUpstreams() async -> [UpstreamProbeResult] {
        hub.start()
        let clock = ContinuousClock()
        let deadline = clock.now + options.initializeTimeout
        while clock.now < deadline, hub.shared.contains(where: { $0?.isWarmingUp == true }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return hub.status().map { UpstreamProbeResult(upstream: $0.upstream, ready: $0.ready, detail: $0.detail) }
    }
}
