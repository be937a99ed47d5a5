import JSONRPC

/// What any replica needs to serve a session it did not open: sealed into the session id.
///
/// Credentials are not in it: every request still carries its own, and the replica checks that
/// they name the same principal (``principalKey``).
public struct SealedSession: Sendable, Equatable {
    /// Which protocol era the session speaks.
    public enum Era: UInt8, Sendable {
        /// `initialize` was exchanged (2024-11-05 to 2025-11-25).
        case handshake = 0
        /// Per-request metadata, no handshake (2026-07-28).
        case stateless = 1
    }

    /// One upstream session this client session owns (an HTTP upstream in per-session mode).
    public struct UpstreamSession: Sendable, Equatable {
        /// The upstream's configured name.
        public var upstream: String
        /// The `Mcp-Session-Id` that upstream gave.
        public var sessionID: String

        /// Creates an entry.
        public init(upstream: String, sessionID: String) {
            self.upstream = upstream
            self.sessionID = sessionID
        }
    }

    /// 16 random bytes that make every id unique, even for identical state.
    public var nonce: [UInt8]
    /// The principal's ``Principal/identityKey``: requests of the session must authenticate as it.
    public var principalKey: String
    /// The principal's subject, for logs on a replica that never saw the session open.
    public var subject: String
    /// The principal's roles (endpoint role checks run on any replica).
    public var roles: [String]
    /// The negotiated protocol version, e.g. `2025-11-25`.
    public var protocolVersion: String
    /// The session's era.
    public var era: Era
    /// The client's `capabilities` object exactly as it sent it (JSON).
    public var clientCapabilities: [UInt8]
    /// The client's `clientInfo` object exactly as it sent it (JSON); empty when unknown.
    public var clientInfo: [UInt8]
    /// The endpoint path the session was opened on (`/mcp`, `/mcp/support`).
    public var endpoint: String
    /// Upstream sessions of per-session HTTP upstreams.
    public var upstreamSessions: [UpstreamSession]
    /// When the session was opened, in seconds since 1970.
    public var createdAt: UInt64
    /// When the id stops being accepted, in seconds since 1970.
    public var expiresAt: UInt64

    /// Creates a state; `nonce` defaults to 16 fresh random bytes.
    public init(
        nonce: [UInt8]? = nil,
        principalKey: String,
        subject: String,
        roles: [String] = [],
        protocolVersion: String,
        era: Era = .handshake,
        clientCapabilities: [UInt8] = Array("{}".utf8),
        clientInfo: [UInt8] = [],
        endpoint: String,
        upstreamSessions: [UpstreamSession] = [],
        createdAt: UInt64,
        expiresAt: UInt64
    ) {
        var generator = SystemRandomNumberGenerator()
        self.nonce = nonce ?? (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.principalKey = principalKey
        self.subject = subject
        self.roles = roles
        self.protocolVersion = protocolVersion
        self.era = era
        self.clientCapabilities = clientCapabilities
        self.clientInfo = clientInfo
        self.endpoint = endpoint
        self.upstreamSessions = upstreamSessions
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
