/// `mcpServers.<name>.pool`: how many upstream sessions (children, for a server started with a
/// command) the proxy keeps for this server and how client sessions share them.
///
/// A server without a `pool` section gets ``init()``'s values: one shared session, as before
/// pools existed.
public struct PoolSettings: Sendable, Equatable {
    /// `mode`: whether client sessions share the upstream sessions or each gets its own.
    /// Default ``PoolMode/shared``.
    public var mode: PoolMode
    /// `size`: in ``PoolMode/shared`` mode, how many upstream sessions are kept open even when
    /// idle; 0 starts them only on demand. Default 1. In ``PoolMode/perSession`` mode every client
    /// session has exactly one upstream session, so the loader accepts only 1 here.
    public var size: Int
    /// `max`: in ``PoolMode/shared`` mode, the most upstream sessions open at once (leases for
    /// ``ServerRequestPolicy/lease`` may open more than ``size``); `nil` (the default) means
    /// ``size`` (at least 1, see ``effectiveMax``). Always at least ``size`` and 1.
    /// In ``PoolMode/perSession`` mode the loader accepts only 1 here (see ``maxChildren``).
    public var max: Int?
    /// `idleTimeoutSeconds`: how long an upstream session may go without traffic before it is
    /// stopped. In ``PoolMode/shared`` mode this applies to the sessions above ``size``; in
    /// ``PoolMode/perSession`` mode it is how long a client session's upstream session lives
    /// without traffic. Greater than 0; default 300.
    public var idleTimeoutSeconds: Double
    /// `serverRequests`: what happens to requests the upstream sends to the client (sampling,
    /// elicitation, roots). Default ``ServerRequestPolicy/lease``.
    public var serverRequests: ServerRequestPolicy
    /// `maxChildren`: in ``PoolMode/perSession`` mode, the most upstream sessions of this server
    /// across all client sessions; 0 (the default) is no cap. The loader refuses a value other
    /// than 0 in ``PoolMode/shared`` mode, where ``max`` is the cap.
    public var maxChildren: Int

    /// Creates pool settings; the defaults are those of a server without a `pool` section.
    public init(
        mode: PoolMode = .shared, size: Int = 1, max: Int? = nil, idleTimeoutSeconds: Double = 300,
        serverRequests: ServerRequestPolicy = .lease, maxChildren: Int = 0
    ) {
        self.mode = mode
        self.size = size
        self.max = max
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.serverRequests = serverRequests
        self.maxChildren = maxChildren
    }

    /// The most upstream sessions open at once in ``PoolMode/shared`` mode: ``max``, or else
    /// ``size`` but at least 1 (a pool of `size: 0` without `max` starts one session on demand).
    public var effectiveMax: Int { max ?? Swift.max(size, 1) }
}

/// `pool.mode`: how client sessions use a server's upstream sessions.
public enum PoolMode: String, Sendable, Equatable, CaseIterable {
    /// `shared`: many client sessions share the pool's upstream sessions; a request goes to any
    /// of them. Right for servers that keep no per-client state.
    case shared
    /// `perSession`: each client session gets an upstream session of its own, started on its
    /// first request and stopped when the client session ends or stays idle for
    /// ``PoolSettings/idleTimeoutSeconds``. For servers that keep per-client state, such as a
    /// login or a working directory changed by a tool.
    case perSession
}

/// `pool.serverRequests`: what a shared upstream session may ask clients
/// (`sampling/createMessage`, `elicitation/create`, `roots/list`).
public enum ServerRequestPolicy: String, Sendable, Equatable, CaseIterable {
    /// `lease`: a tool call of a client that declared sampling, elicitation or roots leases an
    /// upstream session to that client alone for the call's duration (opening another one, up
    /// to ``PoolSettings/max``, for the other clients), so the upstream's requests reach the
    /// client that asked and no other.
    case lease
    /// `refuse`: the shared upstream sessions declare none of these capabilities when they
    /// start, so the upstream does not ask; every call shares the sessions and none is leased.
    case refuse
}
