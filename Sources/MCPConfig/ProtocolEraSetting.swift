/// `protocolEra` of a server entry: how the proxy talks to that upstream.
public enum ProtocolEraSetting: String, Sendable, Equatable, CaseIterable {
    /// Probe it (the default): a stdio or Streamable HTTP upstream gets `server/discover` first
    /// and is spoken to in protocol 2026-07-28 when it answers as a modern server, else with
    /// `initialize`. Legacy HTTP+SSE and WebSocket upstreams use `initialize`.
    case auto
    /// Always the `initialize` handshake (2024-11-05 to 2025-11-25): no probe.
    case handshake
    /// Always 2026-07-28 (stdio or Streamable HTTP): no `initialize`; `server/discover` must succeed.
    case modern = "2026-07-28"
}
