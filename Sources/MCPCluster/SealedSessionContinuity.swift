import JSONRPC
import MCPTransports

/// ``SessionContinuity`` with sealed ids: the state a replica needs is in the id itself, so any
/// replica serves any session with no lookup; ended sessions are remembered in a
/// ``RevocationList``.
///
/// An id is bound to its principal (``Principal/identityKey``) and its endpoint: presented by
/// anyone else, or on another path, it is unknown (404). Ids expire `lifetime` after the
/// session opened, whatever the activity; idle sessions end earlier on the replica that holds
/// them, and Documentation/Scaling.md says what that means for a client.
public final class SealedSessionContinuity: SessionContinuity {
    private let sealer: SessionSealer
    private let revocations: any RevocationList
    private let lifetimeSeconds: UInt64
    private let now: @Sendable () -> UInt64

    /// Creates the continuity.
    ///
    /// - Parameters:
    ///   - lifetime: how long an id is accepted after its session opened.
    ///   - now: seconds since 1970.
    public init(
        sealer: SessionSealer, revocations: any RevocationList, lifetime: Duration = .seconds(86_400),
        now: @escaping @Sendable () -> UInt64 = SystemClockSeconds.now
    ) {
        self.sealer = sealer
        self.revocations = revocations
        self.lifetimeSeconds = UInt64(max(lifetime.components.seconds, 1))
        self.now = now
    }

    /// Seals the session's principal, endpoint and `initialize` params into its id.
    public func newSessionID(path: String, principal: Principal, initialize: JSONRPCMessage) -> String? {
        var version = ""
        var capabilities = Array("{}".utf8)
        var clientInfo: [UInt8] = []
        if let range = initialize.envelope.paramsRange {
            let params = JSONView(message: initialize, range: range)
            version = params["protocolVersion"]?.string ?? ""
            if let value = params["capabilities"], value.kind == .object { capabilities = value.rawBytes }
            if let value = params["clientInfo"], value.kind == .object { clientInfo = value.rawBytes }
        }
        let created = now()
        let state = SealedSession(
            principalKey: principal.identityKey, subject: principal.subject, roles: principal.roles,
            protocolVersion: version, era: .handshake, clientCapabilities: capabilities, clientInfo: clientInfo,
            endpoint: path, createdAt: created, expiresAt: created + lifetimeSeconds)
        return try? sealer.seal(state)
    }

    /// Opens `id` when it is valid, not revoked, and bound to `principal` and `path`.
    public func restore(id: String, path: String, principal: Principal) -> RestoredSession? {
        guard let state = try? sealer.unseal(id, now: now()),
              state.endpoint == path, state.principalKey == principal.identityKey,
              !revocations.isRevoked(id) else { return nil }
        var params = Array(#"{"protocolVersion":"#.utf8)
        JSONString.append(state.protocolVersion, to: &params)
        params += Array(#","capabilities":"#.utf8) + state.clientCapabilities
        if !state.clientInfo.isEmpty { params += Array(#","clientInfo":"#.utf8) + state.clientInfo }
        params.append(UInt8(ascii: "}"))
        return RestoredSession(initializeParams: params, state: state)
    }

    /// Revokes `id` until it would expire anyway.
    public func ended(id: String) {
        let until = (try? sealer.unseal(id, now: 0).expiresAt) ?? now() + lifetimeSeconds
        revocations.revoke(id, until: until)
    }
}
