/// How the proxy talks to an upstream: the `initialize` handshake (2024-11-05 to 2025-11-25),
/// or protocol 2026-07-28, where every request carries its own envelope and there is no
/// handshake.
public enum UpstreamEra: Sendable, Equatable {
    /// Always `initialize`.
    case handshake
    /// Always 2026-07-28 (no probe, no `initialize`).
    case modern
    /// `server/discover` first (waiting at most `probeTimeout`): a modern answer (a discover
    /// result naming 2026-07-28, or -32022 naming it) selects 2026-07-28; anything else,
    /// silence included, selects `initialize`. The verdict holds until the upstream restarts.
    case probe(probeTimeout: Duration)
}
