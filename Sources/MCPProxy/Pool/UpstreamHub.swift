import JSONRPC
import Logging
import MCPStats
import Synchronization

/// The proxy's upstreams as every client session shares them: the merged catalog, one service
/// per shared upstream, and the per-server child counts of per-session upstreams.
final class UpstreamHub: Sendable {
    let definitions: [UpstreamDefinition]
    /// The merged catalog every client session reads when all upstreams are shared.
    let catalog: MergedCatalog
    /// Whether some upstream runs per client session: then each session merges its own lists,
    /// because a per-session upstream's lists may differ between clients.
    let hasPerSession: Bool
    /// By upstream index; nil where the upstream runs per session.
    let shared: [UpstreamService?]
    private let childCounts: [ChildCounter]
    /// `proxy.serverRequests` resolved per upstream; nil without rules.
    let serverRequestPolicy: ServerRequestPolicy?
    /// Calls of 2026-07-28 clients held for their retry (SessionModernBridge.swift).
    let inputHolds = InputHolds()
    private let options: ProxyOptions
    private let stats: StatsRegistry
    private let logger: Logger
    private let started = Mutex(false)

    /// Indices of shared services handed over to the hub of a newer configuration (a reload):
    /// they keep running there, and this hub's shutdown leaves them alone.
    private let released = Mutex<Set<Int>>([])

    init(definitions: [UpstreamDefinition], options: ProxyOptions, stats: StatsRegistry, logger: Logger,
         inherited: [Int: UpstreamService] = [:]) {
        self.definitions = definitions
        self.options = options
        self.stats = stats
        self.logger = logger
        let catalog = MergedCatalog(upstreams: definitions, options: options, stats: stats, logger: logger)
        self.catalog = catalog
        self.childCounts = definitions.map { _ in ChildCounter() }
        self.hasPerSession = definitions.contains { $0.policy.mode == .perSession }
        let serverRequestPolicy = ServerRequestPolicy(options.serverRequests, upstreams: definitions.map(\.name))
        self.serverRequestPolicy = serverRequestPolicy
        let handshake = Self.sharedHandshake(options: options)
        self.shared = definitions.enumerated().map { index, definition -> UpstreamService? in
            guard definition.policy.mode == .shared else { return nil }
            if let running = inherited[index], running.name == definition.name, running.isShared { return running }
            let offered = handshake(definition.policy.serverRequests)
                .withholding(serverRequestPolicy?.withheldCapabilities(upstream: index) ?? [])
            return UpstreamService(
                definition: definition, index: index, owner: nil,
                options: options, stats: stats, logger: logger, handshake: { offered })
        }
    }

    /// Opens the eager shared upstreams' sessions in the background; idempotent.
    func start() {
        let first = started.withLock { started -> Bool in
            defer { started = true }
            return !started
        }
        guard first else { return }
        for service in shared.compactMap({ $0 }) {
            service.start(warm: service.definition.startup == .eager)
        }
    }

    /// The services a new client session uses: the shared ones, and its own per-session ones.
    func services(for session: ProxySession) -> [UpstreamService] {
        start()
        return definitions.enumerated().map { index, definition in
            if let service = shared[index] {
                service.attach(session)
                return service
            }
            let withheld = serverRequestPolicy?.withheldCapabilities(upstream: index) ?? []
            return UpstreamService(
                definition: definition.bound(to: session), index: index, owner: session,
                options: options, stats: stats, logger: logger, childCount: childCounts[index]
            ) { [weak session] in session?.upstreamHandshake?.withholding(withheld) }
        }
    }

    /// The catalog a new client session reads.
    func catalogForNewSession() -> MergedCatalog {
        hasPerSession ? MergedCatalog(upstreams: definitions, options: options, stats: stats, logger: logger) : catalog
    }

    /// Stops every shared upstream session.
    func shutdown() async {
        let handedOver = released.withLock { $0 }
        await withTaskGroup(of: Void.self) { group in
            for (index, service) in shared.enumerated() where !handedOver.contains(index) {
                guard let service else { continue }
                group.addTask { await service.shutdown() }
            }
        }
    }

    /// Hands the shared services of `names` to the hub of a newer configuration: by index, for
    /// ``init(definitions:options:stats:logger:inherited:)``.
    func handOver(_ names: Set<String>) -> [Int: UpstreamService] {
        var services: [Int: UpstreamService] = [:]
        for (index, service) in shared.enumerated() {
            guard let service, names.contains(service.name), !service.isClosing else { continue }
            services[index] = service
        }
        released.withLock { $0.formUnion(services.keys) }
        return services
    }

    /// What the proxy declares to shared upstreams: the client capabilities it can route back to
    /// one client (all of them under `lease`; none under `refuse`).
    static func sharedHandshake(options: ProxyOptions) -> (UpstreamPolicy.ServerRequests) -> UpstreamHandshake {
        { serverRequests in
            var capabilities: [String: JSONValue] = [:]
            if serverRequests == .lease {
                capabilities["roots"] = .object(["listChanged": .bool(true)])
                capabilities["sampling"] = .object([:])
                capabilities["elicitation"] = .object(["form": .object([:]), "url": .object([:])])
            }
            return UpstreamHandshake.make(capabilities: capabilities, title: nil, options: options)
        }
    }

    /// Each upstream's state for readiness checks and status pages, from the pools' own
    /// sessions (nothing is started for the check).
    func status() -> [UpstreamStatus] {
        definitions.enumerated().map { index, definition in
            guard let service = shared[index] else {
                let children = childCounts[index].value
                return UpstreamStatus(upstream: definition.name, mode: "perSession", ready: true, sessions: children,
                                      detail: "started per client session", state: children > 0 ? "up" : "idle")
            }
            let pools = service.backends.map { $0.pool.statistics }
            let open = pools.reduce(0) { $0 + $1.usable }
            let breakers = service.backends.compactMap { $0.breaker?.state.name }
            let result = service.initializeResult
            let ready = open > 0 || (definition.startup == .lazy && !service.isUnavailable)
            var detail = result.map { "\($0.serverInfo.name) \($0.serverInfo.version), protocol \($0.protocolVersion)" } ?? "not started"
            if service.isUnavailable {
                let breakerOpen = service.backends.contains { $0.breaker?.isOpen == true }
                detail = service.state.withLock { $0.lastFailure?.message } ?? (breakerOpen ? "its circuit breaker is open" : "unavailable")
            }
            let opening = pools.reduce(0) { $0 + $1.opening }
            return UpstreamStatus(
                upstream: definition.name, mode: "shared", ready: ready, sessions: open, detail: detail, breaker: breakers.first,
                state: Self.state(of: service, opening: opening, hadSession: result != nil),
                opening: opening,
                busy: pools.reduce(0) { $0 + $1.exclusiveLeases + $1.sharedUsers },
                waiting: pools.reduce(0) { $0 + $1.waiting })
        }
    }

    /// `drained`, `up` (a replica has a usable session and a closed breaker), `breaker-open`,
    /// `unavailable`, `restarting` (had sessions, none usable now), `starting` (opening its first
    /// session) or `idle` (nothing opened yet: lazy, or `pool.size: 0`).
    private static func state(of service: UpstreamService, opening: Int, hadSession: Bool) -> String {
        if service.isAdminDrained { return "drained" }
        if service.backends.contains(where: { $0.hasUsableConnection && $0.breaker?.isOpen != true }) { return "up" }
        if service.backends.contains(where: { $0.breaker?.isOpen == true }) { return "breaker-open" }
        if service.isUnavailable { return "unavailable" }
        if hadSession { return "restarting" }
        return opening > 0 ? "starting" : "idle"
    }
}

/// One upstream's state as the pool sees it.
public struct UpstreamStatus: Sendable, Equatable {
    /// The upstream's configured name.
    public var upstream: String
    /// "shared" or "perSession".
    public var mode: String
    /// Whether it can serve now (shared: a session is open; lazy and per-session: not known to be broken).
    public var ready: Bool
    /// Upstream sessions open (per-session: children across all client sessions).
    public var sessions: Int
    /// Its serverInfo when ready, or what went wrong.
    public var detail: String
    /// The primary's circuit breaker state ("closed", "open", "half-open"), if it has one.
    public var breaker: String?
    /// What it is doing: `up`, `starting` (opening its first session), `restarting` (it had
    /// sessions, none is usable now, the pool reopens), `breaker-open`, `unavailable` (its last
    /// open failed and none is usable), `drained` (admin API), or `idle` (nothing opened yet:
    /// lazy, `pool.size: 0`, or per-session with no client).
    public var state: String
    /// Upstream sessions being opened now (shared mode).
    public var opening: Int
    /// Requests using its sessions now: exclusive leases plus shared users (shared mode).
    public var busy: Int
    /// Requests waiting for one of its sessions (shared mode).
    public var waiting: Int

    /// Creates a status; `state` defaults to `up` when ready, else `unavailable`.
    public init(upstream: String, mode: String, ready: Bool, sessions: Int, detail: String, breaker: String? = nil,
                state: String? = nil, opening: Int = 0, busy: Int = 0, waiting: Int = 0) {
        self.upstream = upstream
        self.mode = mode
        self.ready = ready
        self.sessions = sessions
        self.detail = detail
        self.breaker = breaker
        self.state = state ?? (ready ? "up" : "unavailable")
        self.opening = opening
        self.busy = busy
        self.waiting = waiting
    }
}
