import AsyncHTTPClient
import JSONRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An upstream MCP server reached over Streamable HTTP (protocol revisions 2025-03-26 to 2025-11-25).
///
/// Every message the proxy sends is its own POST, in the order sent. A request's answer comes back
/// as JSON (one message or an array) or as an event stream that may carry related requests and
/// notifications before the response; every server message goes to the sink. The session id from
/// the `initialize` response and the negotiated protocol version are sent on every later request.
/// After `notifications/initialized` a GET stream is opened for server-initiated messages when the
/// server offers one (405: none), and reopened with `Last-Event-ID` when it drops.
///
/// Failures never leave the proxy waiting: a request that cannot be delivered or answered (refused
/// connection, HTTP error, time-out, a stream that broke and could not be resumed) is answered with
/// a JSON-RPC error (-32000) that names the URL and the cause. A 404 to a request carrying the
/// session id means the server dropped the session: the transport re-initializes on its own
/// (repeating the proxy's `initialize`, `notifications/initialized`, the last `logging/setLevel`
/// and the active `resources/subscribe` requests under ids of its own, whose responses it keeps),
/// then retries the request. Other sends wait meanwhile; the proxy notices nothing.
///
/// `start` does no network I/O: an unreachable server shows up as an error answer to `initialize`.
/// `close` ends the session with DELETE and reports `.closedLocally`.
public final class StreamableHTTPClientTransport: MessageTransport {
    /// The upstream's configured name, for logs and errors.
    public let name: String
    /// Where and how the server is reached.
    public let configuration: RemoteUpstreamConfiguration

    let logger: Logger
    let gate = SinkGate()
    let state: NIOLockedValueBox<StreamableHTTPState>
    /// Reads server messages only for routing responses (sizes are limited by the transport).
    let scanner = JSONRPCScanner(limits: ScanLimits(maxMessageBytes: .max, maxDepth: 512))
    let probe: ProbeHooks?
    private let injectedClient: HTTPClient?
    private let outbox: AsyncStream<OutgoingMessage>
    private let outboxInput: AsyncStream<OutgoingMessage>.Continuation

    /// How often a broken response stream is resumed without progress before the request fails.
    static let resumeAttempts = 3

    /// Creates a transport; nothing happens until `start`.
    ///
    /// - Parameter httpClient: a client to share between upstreams; by default the transport
    ///   creates its own at `start` and shuts it down in `close`. TLS settings apply per request
    ///   either way.
    public convenience init(name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, httpClient: HTTPClient? = nil) {
        self.init(name: name, configuration: configuration, logger: logger, httpClient: httpClient, probe: nil)
    }

    /// Creates a transport that reports how the server took the first `initialize` (automatic mode).
    init(name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, httpClient: HTTPClient?, probe: ProbeHooks?) {
        self.name = name
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "upstream"] = "\(name)"
        self.logger = logger
        self.injectedClient = httpClient
        self.probe = probe
        var initial = StreamableHTTPState()
        initial.fallbackArmed = probe != nil
        self.state = NIOLockedValueBox(initial)
        (outbox, outboxInput) = AsyncStream.makeStream(of: OutgoingMessage.self)
    }

    deinit {
        outboxInput.finish()
        let leftover = state.withLockedValue { state -> HTTPClient? in
            defer { state.client = nil }
            return state.ownsClient ? state.client : nil
        }
        // A started transport that was never closed: release the client without waiting.
        leftover?.shutdown().whenComplete { _ in }
    }

    /// Checks the URL and TLS files and prepares the client; does no network I/O (see the type).
    public func start(sink: any MessageSink) async throws(TransportError) {
        let url = try RemoteURL(parsing: configuration.url)
        guard url.scheme == "http" || url.scheme == "https" else {
            throw TransportError("upstream '\(name)': '\(configuration.url)' is not an http(s) URL; Streamable HTTP needs http:// or https:// (use the WebSocket transport for ws://)")
        }
        var tls: TLSConfiguration?
        if let settings = configuration.tls {
            tls = try settings.makeTLSConfiguration()
        }
        let requests = UpstreamHTTPRequests(url: configuration.url, headers: configuration.headers, tls: tls)
        let injectedClient = self.injectedClient
        let connectTimeout = configuration.connectTimeout
        let fresh = state.withLockedValue { state -> Bool in
            guard !state.started, !state.closing else { return false }
            state.started = true
            state.requests = requests
            if let injectedClient {
                state.client = injectedClient
            } else {
                state.client = HTTPClient(
                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                    configuration: UpstreamHTTPRequests.clientConfiguration(connectTimeout: connectTimeout))
                state.ownsClient = true
            }
            return true
        }
        guard fresh else {
            throw TransportError("upstream '\(name)': this transport was already started or closed; make a new one for each connection")
        }
        gate.attach(sink)
        let outbox = self.outbox
        let dispatcher = Task { [weak self] in
            for await message in outbox {
                guard let self else { return }
                await self.dispatch(message)
            }
        }
        state.withLockedValue { $0.dispatcher = dispatcher }
        logger.debug("streamable HTTP upstream ready to send", metadata: ["url": "\(configuration.url)"])
    }

    /// Queues one message; it is POSTed in the order sent. False before `start` and after `close`.
    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        guard state.withLockedValue({ $0.started && !$0.closing }) else { return false }
        let outgoing = OutgoingMessage(message, scanner: scanner)
        if case .terminated = outboxInput.yield(outgoing) { return false }
        return true
    }

    /// Stops all streams, ends the session with DELETE (405 ignored), shuts down an own HTTP client,
    /// then reports `.closedLocally`.
    public func close() async {
        struct Leftovers {
            var tasks: [Task<Void, Never>]
            var waiters: [CheckedContinuation<Void, Never>]
            var client: HTTPClient?
            var ownsClient: Bool
            var requests: UpstreamHTTPRequests?
            var ticket: SessionTicket
        }
        let leftovers = state.withLockedValue { state -> Leftovers? in
            guard !state.closing else { return nil }
            state.closing = true
            var tasks = Array(state.tasks.values)
            tasks += [state.dispatcher, state.serverStream, state.renewal].compactMap { $0 }
            state.tasks.removeAll()
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return Leftovers(
                tasks: tasks, waiters: waiters, client: state.client, ownsClient: state.ownsClient,
                requests: state.requests, ticket: state.ticket)
        }
        guard let leftovers else { return }
        outboxInput.finish()
        for waiter in leftovers.waiters { waiter.resume() }
        for task in leftovers.tasks { task.cancel() }
        for task in leftovers.tasks { await task.value }
        if let client = leftovers.client, let requests = leftovers.requests, leftovers.ticket.sessionID != nil {
            await endSession(client: client, requests: requests, ticket: leftovers.ticket)
        }
        if leftovers.ownsClient, let client = leftovers.client {
            do {
                try await client.shutdown()
            } catch {
                logger.debug("HTTP client shutdown: \(error)")
            }
            state.withLockedValue { $0.client = nil }
        }
        gate.close(.closedLocally)
    }

    /// DELETE with the session id: the server may free the session now (405: it does not allow that).
    private func endSession(client: HTTPClient, requests: UpstreamHTTPRequests, ticket: SessionTicket) async {
        var request = requests.make(.DELETE, accept: UpstreamHTTPRequests.jsonOrEventStream)
        Self.addSessionHeaders(&request, ticket)
        do {
            let response = try await client.execute(request, deadline: .now() + .seconds(5))
            _ = await response.body.errorExcerpt()
            logger.debug("session ended", metadata: ["status": "\(response.status.code)"])
        } catch {
            logger.debug("could not end the session: \(describeHTTPError(error))")
        }
    }

    // MARK: Dispatching the proxy's messages

    /// Takes the proxy's messages in order: requests run concurrently, others are delivered before the next.
    private func dispatch(_ message: OutgoingMessage) async {
        if message.kind == .request, message.method == .initialize {
            beginSession(with: message)
        } else {
            state.withLockedValue { $0.remember(message) }
        }
        guard await currentTicket() != nil else { return }
        if message.isRequest {
            spawn { [self] in await self.runRequest(message) }
        } else {
            await runOneWay(message)
        }
    }

    /// The proxy starts a (new) session: forget the old one and remember `initialize` for renewals.
    private func beginSession(with message: OutgoingMessage) {
        let stream = state.withLockedValue { state -> Task<Void, Never>? in
            state.sessionID = nil
            state.protocolVersion = nil
            state.generation += 1
            state.initializeRequest = message.bytes
            state.logLevelRequest = nil
            state.subscriptions.removeAll()
            state.serverStreamWanted = false
            defer { state.serverStream = nil }
            return state.serverStream
        }
        stream?.cancel()
    }

    /// Runs `work` as a task that `close` cancels and waits for.
    func spawn(_ work: @escaping @Sendable () async -> Void) {
        state.withLockedValue { state in
            guard !state.closing else { return }
            let id = state.nextTaskID
            state.nextTaskID += 1
            state.tasks[id] = Task { [self] in
                await work()
                _ = self.state.withLockedValue { $0.tasks.removeValue(forKey: id) }
            }
        }
    }

    /// One request of the proxy's: POST it (renewing the session if needed) and make sure it is answered.
    private func runRequest(_ message: OutgoingMessage) async {
        guard let id = message.id, let idBytes = message.idBytes else { return }
        let exchange = RequestExchange(
            id: id, idBytes: idBytes, label: message.label, isInitialize: message.method == .initialize, isInternal: false)
        register(exchange)
        // Unregistered only after the exchange has ended, so that a late response is recognized and dropped.
        defer { unregister(exchange) }
        let outcome = await withTimeLimit(configuration.requestTimeout) { [self] in
            await self.sendRenewingSession(message, exchange: exchange)
        }
        switch outcome {
        case nil:
            fail(exchange, "\(configuration.url) did not answer \(message.label) within \(configuration.requestTimeout)")
        case .finished?:
            if !exchange.isAnswered {
                fail(exchange, "\(configuration.url) ended its answer to \(message.label) without a response")
            }
        case .failed(let reason, let status)?:
            if exchange.isInitialize, let status, [400, 404, 405].contains(status), let probe = takeFallback() {
                _ = exchange.fail("the server does not speak Streamable HTTP")
                logger.info("upstream answered HTTP \(status) to a Streamable HTTP initialize; trying the legacy HTTP+SSE transport")
                probe.rejected(message.bytes, status)
                return
            }
            fail(exchange, reason)
        case .sessionExpired?:
            let detail = state.withLockedValue { $0.lastRenewalFailure } ?? "the server keeps answering 404"
            fail(exchange, "the session at \(configuration.url) expired and could not be re-initialized: \(detail)")
        }
        if exchange.isInitialize, let probe = state.withLockedValue({ $0.fallbackArmed ? self.probe : nil }) {
            // Neither confirmed nor rejected (unreachable, 5xx, time-out): the next initialize probes again.
            probe.failed()
        }
    }

    /// A notification or response: POST it; failures can only be logged.
    private func runOneWay(_ message: OutgoingMessage) async {
        let outcome = await withTimeLimit(configuration.requestTimeout) { [self] in
            await self.sendRenewingSession(message, exchange: nil)
        }
        switch outcome {
        case .finished?:
            if message.method == .initialized {
                state.withLockedValue { $0.serverStreamWanted = true }
                openServerStream()
            }
        case .failed(let reason, _)?:
            logger.warning("could not deliver \(message.label): \(reason)")
        case .sessionExpired?:
            logger.warning("could not deliver \(message.label): the session expired and could not be re-initialized")
        case nil:
            logger.warning("could not deliver \(message.label): no answer within \(configuration.requestTimeout)")
        }
    }

    // MARK: Exchanges

    func register(_ exchange: RequestExchange) {
        state.withLockedValue { $0.exchanges[exchange.id] = exchange }
    }

    func unregister(_ exchange: RequestExchange) {
        state.withLockedValue { state in
            if state.exchanges[exchange.id] === exchange { state.exchanges[exchange.id] = nil }
        }
    }

    /// Ends an exchange with an error; the proxy gets a JSON-RPC error response for its request.
    func fail(_ exchange: RequestExchange, _ reason: String) {
        guard exchange.fail(reason), !exchange.isInternal else { return }
        guard !state.withLockedValue({ $0.closing }) else { return }
        logger.warning("\(exchange.label) failed: \(reason)")
        gate.deliver(.message(UpstreamFailure.response(idBytes: exchange.idBytes, message: "upstream '\(name)': \(reason)")))
    }

    /// Routes one server message: a response to an exchange ends it (internal ones are kept, not
    /// delivered); everything else goes to the sink as is.
    func receive(_ bytes: ByteBuffer) {
        if let message = try? scanner.scanMessage(bytes),
           message.envelope.kind == .successResponse || message.envelope.kind == .errorResponse,
           let id = message.envelope.id,
           let exchange = state.withLockedValue({ $0.exchanges[id] }) {
            if exchange.isInitialize, message.envelope.kind == .successResponse {
                adoptProtocolVersion(from: message)
            }
            guard exchange.answer(message) else {
                logger.debug("late response dropped", metadata: ["id": "\(id)"])
                return
            }
            if exchange.isInternal { return }
        }
        gate.deliver(.message(bytes))
    }

    /// The legacy-fallback hooks, once: only the first rejected `initialize` may switch transports.
    private func takeFallback() -> ProbeHooks? {
        state.withLockedValue { state in
            guard state.fallbackArmed else { return nil }
            state.fallbackArmed = false
            return probe
        }
    }
}

/// How the automatic transport learns what the server made of the first `initialize`.
struct ProbeHooks: Sendable {
    /// The server took it (2xx): Streamable HTTP it is.
    var confirmed: @Sendable () -> Void
    /// The server answered 400, 404 or 405: try legacy HTTP+SSE with this `initialize`.
    var rejected: @Sendable (_ initialize: ByteBuffer, _ status: Int) -> Void
    /// It failed otherwise (the proxy got an error response); nothing is decided yet.
    var failed: @Sendable () -> Void
}
