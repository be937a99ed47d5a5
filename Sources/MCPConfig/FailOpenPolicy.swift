/// `proxy.upstreams.failOpen`: what clients see of an upstream that is unavailable (not
/// running, its breaker open, or failing its health checks) while the rest of the proxy keeps
/// working.
public enum FailOpenPolicy: String, Sendable, Equatable, CaseIterable {
    /// `hide`: the upstream's tools, prompts and resources are left out of lists until it is
    /// back, so clients do not pick tools that cannot answer.
    case hide
    /// `keep`: the upstream's last known tools, prompts and resources stay listed; requests to
    /// them fail at once with an error that says the upstream is unavailable.
    case keep
}
