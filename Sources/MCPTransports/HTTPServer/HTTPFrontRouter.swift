import JSONRPC
import Logging
import NIOCore
import NIOHTTP1

/// Sends each request of the front to its endpoint, after the checks every endpoint shares:
/// `Origin` (403) and `MCP-Protocol-Version` (400). Static documents are served before those checks.
final class HTTPFrontRouter: Sendable {
    private enum Route: Sendable {
        case streamable(StreamableHTTPEndpointHandler)
        case legacyStream(LegacySSEEndpointHandler)
        case legacyMessages(LegacySSEEndpointHandler)
        case webSocket(HTTPEndpoint)
    }

    private let routes: [String: Route]
    private let origins: OriginPolicy
    private let supportedVersions: Set<String>
    private let registry: HTTPSessionRegistry
    private let settings: FrontStreamSettings
    private let maxBodyBytes: Int
    private let logger: Logger
    private let onSession: @Sendable (HTTPFrontSession) -> Void
    private let documents: [String: HTTPStaticDocument]
    /// Asks the configured admission policy; nil when everyone is anonymous.
    let gate: AdmissionGate?
    /// The balancers whose forwarding headers name the client; nil when none are trusted.
    let trustedProxies: TrustedProxies?

    init(
        configuration: HTTPFrontConfiguration, registry: HTTPSessionRegistry, replayBudget: ReplayBudget? = nil, logger: Logger,
        onSession: @escaping @Sendable (HTTPFrontSession) -> Void
    ) {
        self.documents = configuration.staticDocuments
        self.gate = configuration.admission.map { AdmissionGate(admission: $0, endpoints: configuration.endpoints) }
        self.trustedProxies = configuration.trustedProxies.isEmpty ? nil : configuration.trustedProxies
        let settings = FrontStreamSettings(configuration, replayBudget: replayBudget)
        let scanner = JSONRPCScanner(limits: ScanLimits(maxMessageBytes: max(configuration.maxBodyBytes, 1)))
        var routes: [String: Route] = [:]
        let modern = ModernConnectionSessions()
        for endpoint in configuration.endpoints {
            switch endpoint.kind {
            case .streamableHTTP:
                routes[endpoint.path] = .streamable(
                    StreamableHTTPEndpointHandler(
                        endpoint: endpoint, registry: registry, settings: settings, scanner: scanner, logger: logger, modern: modern,
                        onSession: onSession))
            case .legacySSE(let messagesPath):
                let handler = LegacySSEEndpointHandler(
                    endpoint: endpoint, messagesPath: messagesPath, registry: registry, settings: settings, scanner: scanner,
                    logger: logger, onSession: onSession)
                routes[endpoint.path] = .legacyStream(handler)
                routes[messagesPath] = .legacyMessages(handler)
            case .webSocket:
                routes[endpoint.path] = .webSocket(endpoint)
            }
        }
        self.routes = routes
        self.origins = OriginPolicy(allowedOrigins: configuration.allowedOrigins)
        self.supportedVersions = Set(configuration.supportedProtocolVersions)
        self.registry = registry
        self.settings = settings
        self.maxBodyBytes = configuration.maxBodyBytes
        self.logger = logger
        self.onSession = onSession
    }

    /// True when some endpoint speaks WebSocket (the pipeline then offers the upgrade).
    var servesWebSocket: Bool {
        routes.values.contains { if case .webSocket = $0 { return true } else { return false } }
    }

    /// Answers one complete request.
    func handle(_ request: HTTPFrontRequest, responder: HTTPResponder) {
        if !documents.isEmpty, let document = documents[String(request.path)], routes[String(request.path)] == nil {
            StaticDocumentResponse.answer(request.head, with: document, responder: responder)
            return
        }
        if let (status, message) = admission(request.head) {
            responder.reject(status, message)
            return
        }
        let path = String(request.path)
        switch routes[path] {
        case .streamable(let handler):
            handler.handle(request, responder: responder)
        case .legacyStream(let handler):
            handler.handleStream(request, responder: responder)
        case .legacyMessages(let handler):
            handler.handleMessage(request, responder: responder)
        case .webSocket:
            if let offered = request.header("sec-websocket-protocol"), !Self.offersMCP(offered) {
                responder.reject(.badRequest, "this endpoint speaks the WebSocket subprotocol mcp; offer it in Sec-WebSocket-Protocol")
            } else {
                responder.reject(.upgradeRequired, "this endpoint speaks WebSocket: send a GET with Upgrade: websocket")
            }
        case nil:
            responder.reject(.notFound, "no MCP endpoint at \(path); the endpoints are \(routes.keys.sorted().joined(separator: ", "))")
        }
    }

    /// The status and message a request is refused with before routing, or nil to go on.
    func admission(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String)? {
        let origin = head.headers.first(name: "origin")
        guard origins.allows(origin) else {
            logger.notice("refused a request from a foreign origin", metadata: ["origin": "\(origin ?? "")"])
            return (.forbidden, "origin \(origin ?? "") is not allowed; add it to allowedOrigins if this client is trusted")
        }
        if let version = head.headers.first(name: "mcp-protocol-version") {
            let trimmed = String(version.httpTrimmed)
            // A version past the handshake era is a 2026-07-28 request: its endpoint checks it
            // against the body and answers -32022 itself when it does not speak it.
            guard supportedVersions.contains(trimmed) || HTTPFrontConfiguration.isPastHandshakeEra(trimmed) else {
                return (.badRequest, "MCP-Protocol-Version \(trimmed) is not supported; use one of \(supportedVersions.sorted().joined(separator: ", "))")
            }
        }
        return nil
    }

    // MARK: WebSocket upgrade

    /// Accepts a WebSocket upgrade on a WebSocket endpoint from an allowed origin, echoing the
    /// subprotocol `mcp` when the client offers subprotocols (and refusing if `mcp` is not among them).
    /// A refused upgrade reaches `handle` as a plain request, which explains the refusal.
    func shouldUpgrade(channel: any Channel, head: HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> {
        guard case .webSocket = routes[String(HTTPFrontRequest.path(of: head.uri))], admission(head) == nil else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        var headers = HTTPHeaders()
        if let offered = head.headers.first(name: "sec-websocket-protocol") {
            guard Self.offersMCP(offered) else { return channel.eventLoop.makeSucceededFuture(nil) }
            headers.add(name: "sec-websocket-protocol", value: "mcp")
        }
        // The head is complete: no header deadline while the upgrade is decided.
        ConnectionTimer.of(channel)?.requestStarted()
        let connection = try? channel.pipeline.syncOperations.handler(type: HTTPConnectionHandler.self)
        let client = trustedProxies.map { ClientAddress(head, channel: channel, trusted: $0) } ?? .peer
        connection?.upgradeClient = client
        guard let gate, let request = gate.request(for: head, channel: channel, client: client) else {
            return channel.eventLoop.makeSucceededFuture(upgradeHeaders(headers, for: .anonymous, connection: connection))
        }
        let loopConnection = connection.map { NIOLoopBound($0, eventLoop: channel.eventLoop) }
        let accepted = headers
        return gate.decide(request, on: channel.eventLoop).map { [self] decision -> HTTPHeaders? in
            switch decision {
            case .admit(let principal):
                return upgradeHeaders(accepted, for: principal, connection: loopConnection?.value)
            case .reject:
                // The declined upgrade's head goes on to the connection handler, which answers with this.
                loopConnection?.value.upgradeDecision = decision
                return nil
            }
        }
    }

    /// The upgrade's headers when `principal` may open a session now; else nil, with the session
    /// cap's refusal left for the connection handler to answer.
    private func upgradeHeaders(_ headers: HTTPHeaders, for principal: Principal, connection: HTTPConnectionHandler?) -> HTTPHeaders? {
        if let refusal = registry.refusal(for: principal) {
            let body = JSONRPCEncoder.errorResponse(idBytes: nil, code: .invalidRequest, message: refusal.message)
            connection?.upgradeDecision = .reject(
                HTTPRejection(
                    status: Int(refusal.status.code), headers: [("retry-after", String(HTTPSessionRegistry.retryAfterSeconds))],
                    body: Array(body.readableBytesView)))
            return nil
        }
        connection?.upgradeDecision = .admit(principal)
        return headers
    }

    /// Replaces the HTTP handler with a WebSocket session after a completed upgrade.
    func upgraded(channel: any Channel, head: HTTPRequestHead) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            guard case .webSocket(let endpoint) = routes[String(HTTPFrontRequest.path(of: head.uri))] else { return }
            ConnectionTimer.of(channel)?.stop()
            let operations = channel.pipeline.syncOperations
            let http = try operations.handler(type: HTTPConnectionHandler.self)
            let principal: Principal
            if case .admit(let admitted)? = http.upgradeDecision { principal = admitted } else { principal = .anonymous }
            let remote = http.upgradeClient.display(of: channel)
            try operations.removeHandler(context: operations.context(handlerType: HTTPConnectionHandler.self), promise: nil)
            let session = WebSocketSession(
                channel: channel, service: endpoint.service, maxQueuedBytes: settings.maxQueuedBytesPerStream, logger: logger,
                principal: principal
            ) { [registry] id in registry.remove(id) }
            try operations.addHandler(WebSocketMessageHandler(session: session, maxMessageBytes: maxBodyBytes))
            if registry.add(session, principal: principal) != nil {
                // Another session took the last place since the upgrade was accepted.
                logger.notice("refused a new WebSocket session: a session cap is reached", metadata: ["client": "\(remote ?? "?")"])
                session.sendCloseOnLoop(.unknown(1013))  // try again later
                return
            }
            logger.info("new session", metadata: ["session": "\(session.id.prefix(8))", "client": "\(remote ?? "?")", "service": "\(endpoint.service)"])
            onSession(HTTPFrontSession(transport: session, service: endpoint.service, remoteAddress: remote, kind: .webSocket))
        }
    }

    private static func offersMCP(_ header: String) -> Bool {
        header.split(separator: ",").contains { $0.httpTrimmed == "mcp" }
    }
}
