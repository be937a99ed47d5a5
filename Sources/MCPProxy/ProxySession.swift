import JSONRPC
import Logging
import MCPReliability
import MCPRouting
import MCPSecurity
import MCPStats
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// One downstream client's session: its handshake, its requests in flight, and the upstreams
/// that serve it. Messages are handled synchronously on the transport threads; only the
/// handshake, list merging and fan-outs run as tasks.
final class ProxySession: MessageSink, @unchecked Sendable {
    // @unchecked: all mutable state is inside `state` (a lock); the rest is immutable after init.

    let downstream: any MessageTransport
    /// One service per upstream (config order): shared ones, and this session's own.
    private(set) var services: [UpstreamService] = []
    let catalog: MergedCatalog
    let options: ProxyOptions
    let stats: StatsRegistry
    let logger: Logger
    /// The user's stages (nil: none); the stats stage runs after them, called directly.
    let pipeline: (any MCPMiddleware<ProxyRequestContext>)?
    /// Counts every forwarded request in its series: the last stage of every chain.
    let statsStage = StatsMiddleware()
    /// Which catalog items the principal sees in lists; nil shows everything.
    let visibility: (any Authorizer)?
    /// The principal of a front that authenticates nothing itself (stdio); nil asks the transport.
    let fixedPrincipal: Principal?
    /// The virtual endpoint this session was opened on; nil for the proxy's main path.
    let endpoint: EndpointView?
    let scanner: JSONRPCScanner
    let cursors: CursorCodec
    let state = NIOLockedValueBox(SessionState())
    /// When the session began.
    let openedAt = ContinuousClock.now
    /// What the client transport delivers to; a reload points it at the session that replaces
    /// this one (``MCPProxy/adopt(_:)``).
    let relay: SinkRelay
    /// The session this one replaced on a reload, still finishing its requests in flight: the
    /// client's answers and cancellations for those reach it through this one.
    private(set) weak var predecessorSession: ProxySession?
    let counters: SessionCounters
    /// `proxy.serverRequests` for this client (its rate buckets); nil without rules.
    let serverRequestGate: ServerRequestGate?
    /// Calls of 2026-07-28 clients held for their retry, shared by every session of the proxy.
    let inputHolds: InputHolds
    let finished: NIOLockedValueBox<(done: Bool, waiters: [CheckedContinuation<Void, Never>])> = NIOLockedValueBox((false, []))
    /// Client requests between arrival and the point where they are in flight or in a task:
    /// ``finish()`` waits for them too, so a request that arrived just as a reload moved the
    /// client does not meet upstreams its configuration already stopped.
    let requestsArriving = Atomic<Int>(0)

    /// Client input kept while `initialize` is answered.
    enum DeferredInput: Sendable {
        case message(JSONRPCMessage, ReplyRoute)
        case batch([Result<JSONRPCMessage, JSONRPCScanError>])
    }

    enum Phase: Sendable, Equatable {
        case awaitingInitialize
        /// `initialize` received; upstream handshakes running; later messages are queued.
        case initializing
        /// `initialize` answered; the queue is being served; later messages still queue behind it.
        case draining
        case ready
        case closing

        /// Whether requests are served (not rejected or queued).
        var isServing: Bool { self == .ready || self == .draining }
    }

    struct SessionState {
        var phase: Phase = .awaitingInitialize
        var version: ProtocolVersion?
        /// The client's `clientInfo` name and version, once initialized.
        var client: String?
        var clientCapabilities = ClientCapabilities()
        /// Whether the session began with a 2026-07-28 request rather than `initialize`.
        var modernClient = false
        var handshake: UpstreamHandshake?
        /// Client request id -> (upstream session, upstream id), for cancellation.
        var inflight: [JSONRPCID: (connection: UpstreamConnection, id: Int64)] = [:]
        /// Client requests waiting to be routed (a catalog load or an upstream start); a cancel
        /// removes them so they are dropped instead of forwarded.
        var routing: Set<JSONRPCID> = []
        /// Proxy-minted id of a request sent to the client -> the upstream session, its id bytes,
        /// and its progress token bytes (the client sees the proxy id as the token).
        var serverRequests: [Int64: (connection: UpstreamConnection, idBytes: [UInt8], progressToken: [UInt8]?)] = [:]
        /// Proxy-minted id of a request sent to the client for a 2026-07-28 upstream's
        /// `input_required` answer -> the bridge waiting for it and its input key.
        var bridges: [Int64: (bridge: InputBridge, key: String)] = [:]
        /// Open `subscriptions/listen` requests (2026-07-28), by their id.
        var listens: [JSONRPCID: ListenSubscription] = [:]
        var nextServerRequestID: Int64 = 1
        /// Exposed URI -> subscription count.
        var subscriptions: [String: Int] = [:]
        /// The last `logging/setLevel` level (its severity), for filtering shared upstreams' logs.
        var logLevel: LogSeverity?
        /// Tasks running on behalf of the client (handshake, lists, fan-outs).
        var pendingTasks = 0
        /// Messages for the client produced before it had its `initialize` answer.
        var heldForClient: [ByteBuffer] = []
        /// Messages that arrived while `initialize` was being answered, in order.
        var deferred: [DeferredInput] = []
        /// A reload moved the client to a successor session; this one only finishes what it has.
        var handedOff = false
    }

    init(
        downstream: any MessageTransport,
        hub: UpstreamHub,
        options: ProxyOptions,
        stats: StatsRegistry,
        logger: Logger,
        cursorSecret: [UInt8],
        pipeline: (any MCPMiddleware<ProxyRequestContext>)? = nil,
        visibility: (any Authorizer)? = nil,
        principal: Principal? = nil,
        endpoint: EndpointView? = nil,
        relay: SinkRelay? = nil,
        predecessor: ProxySession? = nil
    ) {
        self.predecessorSession = predecessor
        self.pipeline = pipeline
        self.visibility = visibility
        self.fixedPrincipal = principal
        self.endpoint = endpoint
        self.downstream = downstream
        self.catalog = hub.catalogForNewSession()
        self.options = options
        self.stats = stats
        self.logger = logger
        self.scanner = JSONRPCScanner(limits: options.scanLimits)
        self.cursors = CursorCodec(secret: cursorSecret)
        self.counters = SessionCounters(stats: stats)
        self.serverRequestGate = hub.serverRequestPolicy.map(ServerRequestGate.init(policy:))
        self.inputHolds = hub.inputHolds
        self.relay = relay ?? SinkRelay(nil)
        self.services = hub.services(for: self)
        if relay == nil { self.relay.retarget(self) }
        if options.serverRequestIDBase != 0 {
            let first = options.serverRequestIDBase + 1
            state.withLockedValue { $0.nextServerRequestID = first }
        }
    }

    /// What this session declares to its per-session upstreams; nil before its `initialize`.
    var upstreamHandshake: UpstreamHandshake? { state.withLockedValue { $0.handshake } }

    var phase: Phase { state.withLockedValue { $0.phase } }

    /// Who is calling: the configured principal, or the one the transport authenticated.
    var principal: Principal { fixedPrincipal ?? downstream.principal }

    /// Tells the pipeline's stages how a forwarded request ended (with `context` instead of the
    /// request's own when given: one that carries what a result guard decided).
    func complete(_ request: ForwardedRequest, outcome: MCPOutcome, now: UInt64, responseBytes: Int = 0, context: ProxyRequestContext? = nil) {
        // A held call's request was finished when it was answered `input_required`; its lease
        // goes to the retry, or back when the hold expires (SessionModernBridge.swift).
        if case .held = request.reply { return }
        let signal: BreakerSignal?
        switch outcome {
        case .success: signal = .success
        case .error: signal = .remoteError
        case .timeout: signal = .timeout
        case .upstreamUnavailable: signal = .transportFailure
        case .cancelled, .refused: signal = nil
        }
        services[request.lease.connection.index].release(request.lease, signal: signal)
        finished(MCPCallSummary(method: request.method, receivedAt: request.startedAt, latencyNanoseconds: now &- request.startedAt,
                                responseBytes: responseBytes),
                 context: context ?? request.context, outcome: outcome)
    }

    /// `finished` of every stage that observes completion, then of the stats stage.
    func finished(_ summary: MCPCallSummary, context: ProxyRequestContext, outcome: MCPOutcome) {
        if let pipeline, pipeline.observesCompletion {
            pipeline.finished(summary, context: context, outcome: outcome)
        }
        statsStage.finished(summary, context: context, outcome: outcome)
    }

    // MARK: Sending to the client

    func reply(_ bytes: ByteBuffer, _ route: ReplyRoute) {
        switch route {
        case .direct:
            sendToClient(bytes)
        case .modern(let method, _, _):
            sendModern(bytes, method: method)
        case .held(let hold):
            hold.settle(.reply(bytes))  // SessionModernBridge.swift
        case .batch(let collector):
            if let all = collector.add(bytes) { sendToClient(all) }
        }
    }

    func replyError(_ route: ReplyRoute, id: [UInt8]?, code: JSONRPCErrorCode, message: String, data: [UInt8]? = nil) {
        counters.errorsSent.increment()
        reply(JSONRPCEncoder.errorResponse(idBytes: id, code: code, message: message, data: data), route)
    }

    func replyResult(_ route: ReplyRoute, id: [UInt8], result: [UInt8]) {
        reply(JSONRPCEncoder.result(idBytes: id, result: result), route)
    }

    func sendToClient(_ bytes: ByteBuffer, relatedTo request: JSONRPCID? = nil) {
        if !downstream.send(bytes, relatedTo: request) {
            logger.debug("client is gone; message dropped")
        }
    }

    func notifyClient(method: String, params: [UInt8]? = nil) {
        guard phase.isServing else { return }
        if params == nil, notifyListens(method: method) { return }  // 2026-07-28 listens (SessionListen.swift)
        sendToClient(JSONRPCEncoder.notification(method: method, params: params))
    }

    /// Most messages kept for a client that has not had its `initialize` answer yet.
    static let maxHeldForClient = 256

    /// Sends upstream-originated traffic now, or holds it until the client has its `initialize`
    /// answer (upstreams may ask for roots or log right after their own handshake).
    /// Returns false when it can be neither sent nor held.
    @discardableResult
    func sendOrHoldForClient(_ bytes: ByteBuffer, relatedTo request: JSONRPCID? = nil) -> Bool {
        let action = state.withLockedValue { state -> Int in
            switch state.phase {
            case .draining, .ready:
                return 1
            case .initializing where state.heldForClient.count < Self.maxHeldForClient:
                state.heldForClient.append(bytes)
                return 0
            default:
                return -1
            }
        }
        if action == 1 { sendToClient(bytes, relatedTo: request) }
        return action >= 0
    }

    /// The client request a message from `upstream` most likely belongs to: the only request of
    /// this client in flight at that upstream, if there is exactly one.
    func relatedClientRequest(at upstream: UpstreamConnection) -> JSONRPCID? {
        state.withLockedValue { state in
            var found: JSONRPCID?
            for (id, target) in state.inflight where target.connection === upstream {
                if found != nil { return nil }
                found = id
            }
            return found
        }
    }

    /// Sends what was held for the client; called right after the `initialize` answer.
    func releaseHeldForClient() {
        let held = state.withLockedValue { state -> [ByteBuffer] in
            defer { state.heldForClient.removeAll() }
            return state.heldForClient
        }
        for bytes in held { sendToClient(bytes) }
    }

    // MARK: Deadlines

    /// A forwarded request's deadline passed (found by its upstream service): the client gets an
    /// error, the upstream a cancellation.
    func timedOut(_ request: ForwardedRequest, id: Int64, upstream: UpstreamConnection, now: UInt64) {
        state.withLockedValue { _ = $0.inflight.removeValue(forKey: request.clientID) }
        complete(request, outcome: .timeout, now: now)
        var params: [UInt8] = Array(#"{"requestId":"#.utf8)
        params += JSONRPCID.number(id).jsonBytes
        params += Array(#","reason":"timed out in the proxy"}"#.utf8)
        upstream.send(JSONRPCEncoder.notification(method: "notifications/cancelled", params: params))
        let allowed = Duration.nanoseconds(Int64(clamping: request.deadline &- request.startedAt))
        logger.warning("request timed out", metadata: ["upstream": "\(upstream.name)", "timeout": "\(allowed)"])
        replyError(request.reply, id: request.clientIDBytes, code: .requestTimeout,
                   message: "Request timed out: upstream '\(upstream.name)' did not answer within \(allowed)")
    }

    // MARK: MessageSink (the client)

    func transportReceivedOversized(_ frame: OversizedFrame) {
        counters.rejected.increment()
        replyError(.direct, id: frame.prefix.flatMap(SalvagedID.find(in:)), code: .invalidRequest,
                   message: "Message of \(frame.byteCount) bytes exceeds the limit of \(frame.limit) bytes; it was discarded")
    }

    func transportReceived(_ frame: InboundFrame) {
        switch frame {
        case .oversized(let count, let limit):
            counters.rejected.increment()
            replyError(.direct, id: nil, code: .invalidRequest,
                       message: "Message of \(count) bytes exceeds the limit of \(limit) bytes; it was discarded")
        case .message(let bytes):
            counters.received.increment()
            let frame: ScannedFrame
            do {
                frame = try scanner.scan(bytes)
            } catch {
                counters.rejected.increment()
                replyError(.direct, id: error.idBytes, code: error.code, message: error.message)
                return
            }
            switch frame {
            case .single(let message):
                handle(message, route: .direct)
            case .batch(let elements):
                handleBatch(elements)
            }
        }
    }

    func transportClosed(_ reason: TransportCloseReason) {
        logger.info("client disconnected: \(reason)")
        if servesModernClientOnly { cancelAbandonedCalls() }  // SessionModernBridge.swift
        runDetached { await self.finish() }
    }

    private func runDetached(_ body: @escaping @Sendable () async -> Void) {
        Task { await body() }
    }

    /// Most messages a client pipelines behind `initialize` are kept until it is answered.
    static let maxDeferredMessages = 1024

    /// Takes one validated client message: queued while `initialize` is in progress, else dispatched.
    func handle(_ message: JSONRPCMessage, route: ReplyRoute) {
        let deferred = state.withLockedValue { state -> Bool in
            guard state.phase == .initializing || state.phase == .draining, message.envelope.method != .ping,
                  state.deferred.count < Self.maxDeferredMessages else { return false }
            state.deferred.append(.message(message, route))
            return true
        }
        if !deferred { dispatch(message, route: route) }
    }

    /// Dispatches one validated client message by kind.
    func dispatch(_ message: JSONRPCMessage, route: ReplyRoute) {
        switch message.envelope.kind {
        case .request:
            handleRequest(message, route: route)
        case .notification:
            handleNotification(message)
        case .successResponse, .errorResponse:
            handleClientResponse(message)
        }
    }
}
