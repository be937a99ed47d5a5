import AsyncHTTPClient
import JSONRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An upstream MCP server reached over Streamable HTTP (protocol revisions 2025-03-26 to
/// 2025-11-25, and 2026-07-28).
///
/// A message whose `params._meta` carries the 2026-07-28 envelope is sent the 2026-07-28 way
/// (StreamableHTTPClientTransport+Modern.swift, ModernPostHeaders): with `MCP-Protocol-Version`,
/// `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` read from its body, no session; a 4xx whose body
/// is a JSON-RPC error is its answer; cancelling it closes its POST. Everything below describes
/// the handshake era, which such messages never enter (they send no `initialize`).
///
/// Every message the proxy sends is its own POST, in the order sent; a notification's or a
/// response's POST completes before the next message goes out, while requests run concurrently.
/// A request's answer comes back as JSON (one message or an array) or as an event stream that may
/// carry related requests and notifications before the response; every server message goes to the
/// sink. The session id from the `initialize` response and the negotiated protocol version are
/// sent on every later request. After `notifications/initialized` a GET stream is opened for
/// server-initiated messages when the server offers one (405: none), and reopened with
/// `Last-Event-ID` when it drops.
///
/// The common path runs on the client's event loops without tasks or timers of Swift
/// concurrency: `send` queues the message and dispatches it on the calling thread's event loop
/// when it is one of the client's (else on one of them); its POST goes out on a keep-alive
/// connection of that loop (`LeanHTTPPool`: one write, no per-request timer), the answer is read
/// and routed there as it arrives, and the request timeout is the request's deadline.
/// AsyncHTTPClient carries the rest: the GET stream, DELETE, a POST that met a redirect. Session
/// renewal and the resumption of a broken stream, which are rare, run as tasks.
///
/// Failures never leave the proxy waiting: a request that cannot be delivered or answered (refused
/// connection, HTTP error, time-out, a stream that broke and could not be resumed) is answered with
/// exactly one JSON-RPC error (-32000) that names the URL and the cause; a response that arrives
/// after that is dropped. A 404 to a request carrying the session id means the server dropped the
/// session: the transport re-initializes on its own (repeating the proxy's `initialize`,
/// `notifications/initialized`, the last `logging/setLevel` and the active `resources/subscribe`
/// requests under ids of its own, whose responses it keeps), then retries the request. Other sends
/// wait meanwhile; the proxy notices nothing.
///
/// `start` does no network I/O: an unreachable server shows up as an error answer to `initialize`.
/// `close` cancels everything in flight, ends the session with DELETE and reports `.closedLocally`.
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
    /// The shared client's lean pools; nil: the transport keeps a pool of its own.
    private let leanPools: LeanHTTPPools?

    /// How often a broken response stream is resumed without progress before the request fails.
    static let resumeAttempts = 3

    /// Creates a transport; nothing happens until `start`.
    ///
    /// - Parameter httpClient: a client to share between upstreams (and sessions); by default the
    ///   transport creates its own at `start` and shuts it down in `close`. TLS settings apply per
    ///   request either way.
    public convenience init(name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, httpClient: HTTPClient? = nil) {
        self.init(name: name, configuration: configuration, logger: logger, httpClient: httpClient, probe: nil)
    }

    /// Creates a transport that reports how the server took the first `initialize` (automatic mode).
    init(name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, httpClient: HTTPClient?, probe: ProbeHooks?,
         leanPools: LeanHTTPPools? = nil) {
        self.leanPools = leanPools
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
    }

    deinit {
        let leftover = state.withLockedValue { state -> HTTPClient? in
            defer { state.link = nil }
            return state.ownsClient ? state.link?.client : nil
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
        let postTemplate: HTTPClient.Request
        do {
            postTemplate = try requests.postTemplate()
        } catch {
            throw TransportError("upstream '\(name)': \(error.message)")
        }
        let injectedClient = self.injectedClient
        let connectTimeout = configuration.connectTimeout
        var leanHeaders = HTTPHeaders()
        leanHeaders.add(name: "Host", value: url.hostHeader)
        leanHeaders.add(contentsOf: postTemplate.headers)
        let client = injectedClient ?? HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: UpstreamHTTPRequests.clientConfiguration(connectTimeout: connectTimeout))
        let loops = ClientEventLoops(client.eventLoopGroup)
        let lean: LeanHTTPPool?
        let ownsLean = leanPools == nil
        do {
            if let leanPools {
                lean = try leanPools.pool(for: url, settings: configuration.tls, tls: tls,
                                          connectTimeout: connectTimeout, loops: loops)
            } else {
                lean = try LeanHTTPPool(url: url, tls: tls, connectTimeout: connectTimeout,
                                        maxConnections: UpstreamHTTPRequests.connectionsPerHost, loops: loops)
            }
        } catch {
            if injectedClient == nil { try? await client.shutdown() }
            throw TransportError("upstream '\(name)': \(error.message)")
        }
        let fresh = state.withLockedValue { state -> Bool in
            guard !state.started, !state.closing else { return false }
            state.started = true
            state.ownsClient = injectedClient == nil
            state.ownsLean = ownsLean
            state.link = HTTPUpstreamLink(
                client: client, requests: requests, postTemplate: postTemplate, loops: loops,
                lean: lean, leanHeaders: leanHeaders, leanPath: url.pathAndQuery)
            return true
        }
        guard fresh else {
            if injectedClient == nil { try? await client.shutdown() }
            if ownsLean { lean?.close() }
            throw TransportError("upstream '\(name)': this transport was already started or closed; make a new one for each connection")
        }
        gate.attach(sink)
        logger.debug("streamable HTTP upstream ready to send", metadata: ["url": "\(configuration.url)"])
    }

    /// Queues one message; it is POSTed in the order sent. False before `start` and after `close`.
    ///
    /// Never calls the sink: the message is dispatched in a later turn of an event loop, so this may
    /// be called from inside `transportReceived`.
    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        let outgoing = OutgoingMessage(message, scanner: scanner) { configuration.toolHeaderTags[$0] }
        if let target = outgoing.cancelledID, outgoing.method == .cancelled, closeModernPost(of: target) {
            return true
        }
        let dispatch = state.withLockedValue { state -> (accepted: Bool, loops: ClientEventLoops?) in
            guard state.started, !state.closing, let link = state.link else { return (false, nil) }
            return (true, state.outbox.push(outgoing) ? link.loops : nil)
        }
        if let loops = dispatch.loops {
            let loop = loops.preferred()
            loop.execute { self.dispatchQueued(on: loop) }
        }
        return dispatch.accepted
    }

    /// Stops all streams and requests, ends the session with DELETE (405 ignored), shuts down an
    /// own HTTP client, then reports `.closedLocally`.
    public func close() async {
        /// What `close` takes out of the state to stop and release.
        struct Leftovers {
            var tasks: [Task<Void, Never>]
            var posts: [any PostInFlight]
            var waiters: [CheckedContinuation<Void, Never>]
            var link: HTTPUpstreamLink?
            var ownsClient: Bool
            var ownsLean: Bool
            var ticket: SessionTicket
        }
        let leftovers = state.withLockedValue { state -> Leftovers? in
            guard !state.closing else { return nil }
            state.closing = true
            state.outbox.clear()
            var tasks = Array(state.tasks.values)
            tasks += [state.serverStream, state.renewal].compactMap { $0 }
            state.tasks.removeAll()
            let posts = Array(state.posts.values)
            state.posts.removeAll()
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return Leftovers(
                tasks: tasks, posts: posts, waiters: waiters, link: state.link, ownsClient: state.ownsClient,
                ownsLean: state.ownsLean, ticket: state.ticket)
        }
        guard let leftovers else { return }
        for waiter in leftovers.waiters { waiter.resume() }
        for task in leftovers.tasks { task.cancel() }
        for post in leftovers.posts { post.cancel() }
        for task in leftovers.tasks { await task.value }
        for post in leftovers.posts { await post.ended() }
        if leftovers.ownsLean { leftovers.link?.lean?.close() }
        if let link = leftovers.link, leftovers.ticket.sessionID != nil {
            await endSession(client: link.client, requests: link.requests, ticket: leftovers.ticket)
        }
        if leftovers.ownsClient, let client = leftovers.link?.client {
            do {
                try await client.shutdown()
            } catch {
                logger.debug("HTTP client shutdown: \(error)")
            }
            state.withLockedValue { $0.link = nil }
        }
        gate.close(.closedLocally)
    }

    /// DELETE with the session id: the server may free the session now (405: it does not allow that).
    private func endSession(client: HTTPClient, requests: UpstreamHTTPRequests, ticket: SessionTicket) async {
        var request = requests.make(.DELETE, accept: UpstreamHTTPRequests.jsonOrEventStream)
        if configuration.credentials != nil {
            guard case .success(let headers) = await credentialHeaders() else { return }
            request.headers.apply(headers)
        }
        ticket.apply(to: &request.headers)
        do {
            let response = try await client.execute(request, deadline: .now() + .seconds(5))
            _ = await response.body.errorExcerpt()
            logger.debug("session ended", metadata: ["status": "\(response.status.code)"])
        } catch {
            logger.debug("could not end the session: \(describeHTTPError(error))")
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
        var bytes = bytes
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
            if exchange.listsTools, message.envelope.kind == .successResponse, let pruned = rememberToolHeaders(from: message) {
                bytes = pruned
            }
            if exchange.isInternal { return }
        }
        gate.deliver(.message(bytes))
    }

    /// The legacy-fallback hooks, once: only the first rejected `initialize` may switch transports.
    func takeFallback() -> ProbeHooks? {
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
