import JSONRPC

/// Lets every replica of a gateway serve any Streamable HTTP session: it names new sessions
/// with ids that carry their state (sealed), and opens the ids of sessions this replica has
/// never seen. Set on ``HTTPFrontConfiguration/sessionContinuity``; without it ids are random
/// and only the replica that issued one knows it.
///
/// Called on the front's event loops: implementations must not block.
public protocol SessionContinuity: Sendable {
    /// The id of a session that `principal` opens on the endpoint at `path` with this
    /// `initialize` request; nil when the state cannot be sealed (the front answers 400).
    func newSessionID(path: String, principal: Principal, initialize: JSONRPCMessage) -> String?

    /// The state of session `id`, which this replica does not hold, when `principal` may use it
    /// on `path`; nil when the id is unknown, tampered, expired, revoked, or bound to another
    /// principal or endpoint (the front answers 404, as for any unknown session).
    func restore(id: String, path: String, principal: Principal) -> RestoredSession?

    /// The client ended session `id` (DELETE): every replica must now refuse it.
    func ended(id: String)
}

/// A session another replica opened, as ``SessionContinuity/restore(id:path:principal:)``
/// found it: the `initialize` it began with, so the proxy can serve it as if it had answered
/// that itself.
public struct RestoredSession: Sendable {
    /// The client's `initialize` params as it sent them (`protocolVersion`, `capabilities`,
    /// `clientInfo`), a JSON object.
    public var initializeParams: [UInt8]
    /// Anything else the implementation carries for the proxy (the unsealed state).
    public var state: (any Sendable)?

    /// Creates a restored session.
    public init(initializeParams: [UInt8], state: (any Sendable)? = nil) {
        self.initializeParams = initializeParams
        self.state = state
    }
}
