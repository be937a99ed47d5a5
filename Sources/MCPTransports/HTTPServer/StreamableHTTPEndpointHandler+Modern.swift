import JSONRPC
import NIOCore
import NIOHTTP1

/// 2026-07-28 requests on a Streamable HTTP endpoint: a request whose `MCP-Protocol-Version`
/// is past the handshake era carries its own envelope and needs no session. POST is served
/// (the routing headers checked against the body first, -32020 on a mismatch); GET and DELETE,
/// which belonged to sessions, are 405.
extension StreamableHTTPEndpointHandler {
    /// True for a request of the modern era (its version header is later than the handshake era's).
    func isModern(_ request: HTTPFrontRequest) -> Bool {
        guard let version = request.header("mcp-protocol-version") else { return false }
        return HTTPFrontConfiguration.isPastHandshakeEra(String(version.httpTrimmed))
    }

    func handleModern(_ request: HTTPFrontRequest, responder: HTTPResponder) {
        guard request.head.method == .POST else {
            var headers = HTTPHeaders()
            headers.add(name: "allow", value: "POST")
            responder.reject(.methodNotAllowed, "protocol \(request.header("mcp-protocol-version") ?? "") has no sessions: send each request as a POST", headers: headers)
            return
        }
        guard let (frame, acceptance) = scannedPost(request, responder: responder) else { return }
        guard case .single(let message) = frame else {
            responder.respondJSON(
                status: .badRequest,
                body: JSONRPCEncoder.errorResponse(idBytes: nil, code: .invalidRequest, message: "JSON-RPC batches are not part of protocol 2026-07-28; send one request per POST"))
            return
        }
        guard message.envelope.kind == .request else {
            // Notifications and responses have no place in a stateless exchange.
            responder.respond(status: .accepted)
            return
        }
        // The ladder's order (as the SDK's): the envelope (-32602), then the headers against the
        // body (-32020; `Mcp-Param-*` only for the version the proxy speaks, so -32022 still comes
        // first for another: ToolHeaderAnnotationLookup.swift); the version (-32022) and the rest
        // are the session's.
        let id = message.envelope.idRange.map { message.rawBytes($0) }
        if let rejection = ModernValidation.checkPresence(ModernEnvelope.read(message)) {
            responder.respondJSON(status: HTTPResponseStatus(statusCode: rejection.httpStatus), body: rejection.response(idBytes: id))
            return
        }
        let headers = ModernRequestHeaders(request.head.headers.map { (name: $0.name, value: $0.value) })
        if let refusal = ModernHeaderCheck.routing(headers, request: message) ?? mcpParamRefusal(headers, request: message) {
            responder.respondJSON(status: HTTPResponseStatus(statusCode: refusal.httpStatus), body: refusal.errorResponse(idBytes: id))
            return
        }
        let channel = responder.channel
        let session = modern.session(on: channel, principal: request.principal) ?? openModernSession(request, responder: responder)
        guard let session else { return }
        session.receivePost(frame, body: TraceHeaders.body(of: request, frame: frame), acceptance: acceptance, createsSession: false,
                            responder: responder)
    }

    /// A new internal session for this connection, handed to the proxy like any session (it
    /// takes the first request's envelope as its handshake); nil after answering when a session
    /// cap refuses it.
    private func openModernSession(_ request: HTTPFrontRequest, responder: HTTPResponder) -> StreamableHTTPSession? {
        let session = StreamableHTTPSession(
            id: SessionIdentifier.make(), endpoint: endpoint, settings: settings, eventLoop: responder.channel.eventLoop,
            logger: logger, principal: request.principal
        ) { [registry] id in registry.remove(id) }
        if let refusal = registry.add(session, principal: request.principal) {
            logger.notice("refused a 2026-07-28 client: a session cap is reached", metadata: ["client": "\(request.remoteAddress ?? "?")"])
            responder.reject(refusal)
            return nil
        }
        modern.add(session, channel: responder.channel, principal: request.principal)
        onSession(HTTPFrontSession(transport: session, service: endpoint.service, remoteAddress: request.remoteAddress, kind: .streamableHTTP))
        return session
    }
}
