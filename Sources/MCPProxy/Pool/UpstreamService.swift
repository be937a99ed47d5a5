import JSONRPC
import Logging
import MCPPool
import MCPReliability
import MCPStats
import Synchronization

/// One upstream as client sessions use it: its pools (primary and replicas), breakers,
/// bulkhead and retry budget, the client sessions it serves, who holds which exclusive lease,
/// and the resource subscriptions it keeps upstream.
///
/// In shared mode the proxy owns one service per upstream and every client session uses it; in
/// per-session mode each client session owns one (``owner``). Either way a forwarded request's
/// response, progress and failure reach only the session that sent it; what an upstream sends
/// on its own goes to the session that holds the exclusive lease on that upstream session, to
/// the owner, or (lists changed, resources updated) to every session that can see it.
final class UpstreamService: UpstreamEvents, @unchecked Sendable {
    // @unchecked: `backends` is set once right after init (the pools' open closures need `self`);
    // all mutable state is in `state`.

    let definition: UpstreamDefinition
    /// Position in the proxy's upstream list.
    let index: Int
    var name: String { definition.name }
    var policy: UpstreamPolicy { definition.policy }
    /// The client session that owns this service (per-session mode); nil: shared by all.
    private(set) weak var owner: ProxySession?
    let isShared: Bool
    let options: ProxyOptions
    let logger: Logger
    let scanner: JSONRPCScanner
    let metrics: UpstreamMetrics
    let bulkhead: Bulkhead?
    let retryBudget: RetryBudget
    /// The handshake sent to each new upstream session; nil until it is known (per-session:
    /// the client's `initialize`).
    private let handshake: @Sendable () -> UpstreamHandshake?
    /// Per-session mode: the proxy-wide count of this upstream's children, for `maxChildren`.
    let childCount: ChildCounter?
    private(set) var backends: [UpstreamBackend] = []
    let state = Mutex(State())
    /// The listens kept open toward a 2026-07-28 upstream (UpstreamService+Listen.swift).
    let upstreamListens = UpstreamListens()

    struct State {
        /// The client sessions served (shared mode: every live one; per-session: the owner).
        var sessions: [ObjectIdentifier: WeakSession] = [:]
        /// Upstream session -> the client session holding it exclusively, and its lease.
        var holders: [ObjectIdentifier: ExclusiveHolder] = [:]
        /// Upstream URI -> the client sessions subscribed to it.
        var subscribers: [String: Set<ObjectIdentifier>] = [:]
        /// The last upstream `initialize` result (capabilities, instructions).
        var initializeResult: InitializeResult?
        /// Whether its items left the merged lists because it is unavailable (`failOpen: hide`).
        var hidden = false
        /// A session was lost since the last open: the next one is a new incarnation whose
        /// lists may differ, so clients are told they changed.
        var restarted = false
        /// Why it last failed to open, while no session is usable.
        var lastFailure: UpstreamError?
        /// Per-session mode: the client's `logging/setLevel` level, re-applied to new sessions.
        var logLevel: [UInt8]?
        var maintenance: Task<Void, Never>?
        /// Per-session restarts: one scheduled at a time, and how many in a row.
        var restartScheduled = false
        var restartAttempts = 0
        var started = false
        var startedAt = ContinuousClock.now
        var closing = false
        /// Taken out of service through the admin API: no leases, no opens, until a restart.
        var adminDrained = false
    }

    init(
        definition: UpstreamDefinition, index: Int, owner: ProxySession?,
        options: ProxyOptions, stats: StatsRegistry, logger: Logger, childCount: ChildCounter? = nil,
        handshake: @escaping @Sendable () -> UpstreamHandshake?
    ) {
        self.definition = definition
        self.index = index
        self.owner = owner
        self.isShared = owner == nil
        self.options = options
        var logger = logger
        logger[metadataKey: "upstream"] = "\(definition.name)"
        self.logger = logger
        self.scanner = JSONRPCScanner(limits: options.scanLimits)
        self.metrics = UpstreamMetrics(stats: stats, upstream: definition.name, mode: owner == nil ? "shared" : "perSession")
        self.handshake = handshake
        self.childCount = childCount
        let policy = definition.policy
        self.bulkhead = policy.maxConcurrent.map { Bulkhead(maxConcurrent: $0, maxQueued: policy.maxQueued) }
        self.retryBudget = RetryBudget()
        self.backends = definition.transportFactories.indices.map { replica in makeBackend(replica: replica) }
        if let owner { state.withLock { $0.sessions[ObjectIdentifier(owner)] = WeakSession(owner) } }
    }

    private func makeBackend(replica: Int) -> UpstreamBackend {
        let policy = definition.policy
        let label = replica == 0 ? definition.name : "\(definition.name)#\(replica)"
        let metrics = self.metrics
        let breaker = policy.breaker.map { breakerPolicy in
            CircuitBreaker(policy: breakerPolicy) { [weak self] old, new in
                metrics.breakerTransition(replica: replica, to: new)
                self?.breakerChanged(replica: replica, from: old, to: new)
            }
        }
        let size = isShared ? max(policy.size, 0) : 0
        let configuration = PoolConfiguration(
            size: size,
            max: isShared ? max(policy.max ?? size, size, 1) : 1,
            maxWaiters: 1024,
            idleTimeout: policy.idleTimeout,
            reopenBackoff: RestartBackoff(first: options.restartDelay, maximum: options.maxRestartDelay),
            failWaitersOnOpenFailure: !isShared)
        let pool = ConnectionPool<UpstreamConnection>(
            configuration: configuration,
            open: { [weak self] () async throws -> UpstreamConnection in
                guard let self else { throw UpstreamError(.unavailable, upstream: label, message: "the proxy is shutting down") }
                return try await self.openConnection(replica: replica, breaker: breaker)
            },
            gate: { [weak self] in breaker?.isOpen != true && self?.isAdminDrained != true },
            events: { event in metrics.poolEvent(event) })
        return UpstreamBackend(replica: replica, label: label, pool: pool, breaker: breaker)
    }

    // MARK: Lifecycle

    /// Warms the pool (eager upstreams, shared mode) and starts health checks and deadlines.
    func start(warm: Bool) {
        let first = state.withLock { state -> Bool in
            guard !state.started, !state.closing else { return false }
            state.started = true
            state.startedAt = ContinuousClock.now
            return true
        }
        guard first else { return }
        if warm { backends.first?.pool.start() }
        let task = Task<Void, Never> { [weak self] in
            guard let self else { return }
            await self.maintain()
        }
        state.withLock { $0.maintenance = task }
    }

    /// Stops everything: health checks, then every upstream session (children get SIGTERM,
    /// then SIGKILL after the grace period).
    func shutdown() async {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.closing = true
            defer { state.maintenance = nil }
            return state.maintenance
        }
        task?.cancel()
        await withTaskGroup(of: Void.self) { group in
            for backend in backends {
                group.addTask { await backend.pool.drain(timeout: Duration.zero) }
            }
        }
    }

    var isClosing: Bool { state.withLock { $0.closing } }

    /// When it was started (the first client session, or `MCPProxy.start()`).
    var startedAt: ContinuousClock.Instant { state.withLock { $0.startedAt } }

    // MARK: Sessions

    /// A client session starts using this (shared) service.
    func attach(_ session: ProxySession) {
        state.withLock { $0.sessions[ObjectIdentifier(session)] = WeakSession(session) }
    }

    /// A client session ended: forget it, and unsubscribe upstream what only it was subscribed to.
    func detach(_ session: ProxySession) async {
        let key = ObjectIdentifier(session)
        var leftover: [ExclusiveHolder] = []
        let orphaned = state.withLock { state -> [String] in
            state.sessions.removeValue(forKey: key)
            var gone: [String] = []
            for (uri, var keys) in state.subscribers where keys.contains(key) {
                keys.remove(key)
                if keys.isEmpty {
                    state.subscribers.removeValue(forKey: uri)
                    gone.append(uri)
                } else {
                    state.subscribers[uri] = keys
                }
            }
            for (connection, holder) in state.holders where holder.session === session {
                state.holders.removeValue(forKey: connection)
                // Its call ended and only riders kept the lease: nobody else will give it back.
                if holder.ownerEnded { leftover.append(holder) }
            }
            return gone
        }
        for holder in leftover { holder.backend.pool.release(holder.lease) }
        guard isShared, !isClosing else { return }
        for uri in orphaned { await dropSubscription(uri) }  // UpstreamService+Listen.swift
    }

    /// The live client sessions this service serves.
    var sessions: [ProxySession] {
        state.withLock { state in state.sessions.values.compactMap(\.session) }
    }

    /// Each distinct catalog among the sessions served (one when every upstream is shared),
    /// with the sessions that read it.
    func catalogGroups() -> [(catalog: MergedCatalog, sessions: [ProxySession])] {
        var groups: [ObjectIdentifier: (catalog: MergedCatalog, sessions: [ProxySession])] = [:]
        for session in sessions {
            groups[ObjectIdentifier(session.catalog), default: (session.catalog, [])].sessions.append(session)
        }
        return Array(groups.values)
    }

    /// The session a message from `connection` belongs to when the wire does not say: the
    /// holder of its exclusive lease, or the owner of a per-session service.
    func attributedSession(_ connection: UpstreamConnection) -> ProxySession? {
        if let owner { return owner }
        if let holder = state.withLock({ $0.holders[ObjectIdentifier(connection)]?.session }) { return holder }
        // No lease: the one client whose request is the only one in flight there, if any.
        return connection.soleRequestOwner
    }

    // MARK: What it offers

    /// The upstream's last `initialize` result; nil until one of its sessions was ready.
    var initializeResult: InitializeResult? { state.withLock { $0.initializeResult } }

    /// Whether it cannot serve now and nothing is on the way: its items are hidden (or kept)
    /// and lists do not wait for it.
    var isUnavailable: Bool {
        if isAdminDrained { return true }
        if state.withLock({ $0.hidden }) { return !backends.contains(where: \.hasUsableConnection) }
        return backends.allSatisfy(\.isDown)
    }

    /// Whether a shared session is being opened for the first time (the proxy just started).
    var isWarmingUp: Bool {
        initializeResult == nil && !isUnavailable && (backends.first?.pool.statistics.opening ?? 0) > 0
    }

    /// Whether a client with these capabilities needs an exclusive lease for a tool call.
    func needsExclusiveLease(_ capabilities: ClientCapabilities) -> Bool {
        isShared && policy.serverRequests == .lease
            && (capabilities.sampling || capabilities.elicitation || capabilities.roots)
    }

    // MARK: Opening upstream sessions

    private func openConnection(replica: Int, breaker: CircuitBreaker?) async throws -> UpstreamConnection {
        var probe = false
        if let breaker {
            switch breaker.admit() {
            case .rejected(let after):
                throw UpstreamError(.unavailable, upstream: name, message: "its circuit breaker is open; next attempt in \(Self.describe(nanoseconds: after))")
            case .probe:
                probe = true
            case .allowed:
                break
            }
        }
        guard let handshake = handshake() else {
            throw UpstreamError(.unavailable, upstream: name, message: "the client has not initialized yet")
        }
        if let childCount {
            guard childCount.take(limit: policy.maxChildren) else {
                // Nothing was spawned, so nothing will stop; not the upstream's fault either.
                if probe { breaker?.record(.success, probe: true) }
                let error = UpstreamError(.unavailable, upstream: name, message: "it already runs \(policy.maxChildren) sessions (pool.maxChildren); try again when a client disconnects")
                openFailed(error, replica: replica)
                throw error
            }
        }
        let connection = UpstreamConnection(definition: definition, index: index, replica: replica, scanner: scanner, logger: logger)
        connection.attach(self)
        switch await connection.ensureReady(handshake: handshake, timeout: options.initializeTimeout) {
        case .failure(let error):
            breaker?.record(.transportFailure, probe: probe)
            openFailed(error, replica: replica)
            throw error
        case .success(let result):
            breaker?.record(.success, probe: probe)
            backends[safe: replica]?.lastFailure.withLock { $0 = nil }
            let (wasHidden, subscriptions, level) = state.withLock { state -> (Bool, [String], [UInt8]?) in
                state.initializeResult = result
                state.lastFailure = nil
                defer {
                    state.hidden = false
                    state.restarted = false
                }
                return (state.hidden || state.restarted, Array(state.subscribers.keys), state.logLevel)
            }
            metrics.sessionsOpen.add(1)
            await prepare(connection, result: result, subscriptions: subscriptions, logLevel: level)
            if wasHidden { announceListsChanged(result.capabilities) }
            return connection
        }
    }

    /// After a failed open: remember why, hide the upstream if no replica can serve, and (per
    /// session, with restarts on) try again later.
    private func openFailed(_ error: UpstreamError, replica: Int) {
        state.withLock { $0.lastFailure = error }
        backends[safe: replica]?.lastFailure.withLock { $0 = error }
        metrics.openFailures.increment()
        logger.error("could not open an upstream session: \(error.message)", metadata: ["replica": "\(replica)"])
        if backends.allSatisfy(\.isDown) { hide() }
        if !isShared, options.restartUpstreams, let owner, owner.phase != .closing { restartOwnSession() }
    }

    /// Re-applies what the upstream must know of its clients: subscriptions and the log level.
    private func prepare(_ connection: UpstreamConnection, result: InitializeResult, subscriptions: [String], logLevel: [UInt8]?) async {
        if prepareModernListens(connection, result: result, subscriptions: subscriptions) { return }  // UpstreamService+Listen.swift
        if let logLevel, result.capabilities.logging {
            _ = await connection.request(method: "logging/setLevel", params: Array(#"{"level":"#.utf8) + logLevel + [UInt8(ascii: "}")], timeout: options.initializeTimeout)
        }
        guard result.capabilities.resourcesSubscribe else { return }
        for uri in subscriptions {
            let params = Array(#"{"uri":"#.utf8) + JSONString.encode(uri) + [UInt8(ascii: "}")]
            if case .failure(let error) = await connection.request(method: "resources/subscribe", params: params, timeout: options.requestTimeout) {
                logger.warning("could not renew the subscription to \(uri): \(error)")
            }
        }
    }

    static func describe(nanoseconds: UInt64) -> String {
        let milliseconds = Double(nanoseconds) / 1_000_000
        return milliseconds >= 1000 ? "\((milliseconds / 100).rounded() / 10) s" : "\(Int(milliseconds.rounded())) ms"
    }
}

/// A client session, held weakly by the services it uses.
struct WeakSession: Sendable {
    weak var session: ProxySession?

    init(_ session: ProxySession) {
        self.session = session
    }
}
