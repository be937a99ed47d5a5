import JSONRPC
import Logging
import NIOCore
import NIOHTTP1

/// Answers POST, GET and DELETE on one Streamable HTTP endpoint: validates the request, creates
/// sessions on `initialize`, and hands everything else to the session named by `Mcp-Session-Id`.
struct StreamableHTTPEndpointHandler: Sendable {
    let endpoint: HTTPEndpoint
    let registry: HTTPSessionRegistry
    let settings: FrontStreamSettings
    let scanner: JSONRPCScanner
    let logger: Logger
    /// The internal sessions serving 2026-07-28 requests, one per connection.
    let modern: ModernConnectionSessions
    let onSession: @Sendable (HTTPFrontSession) -> Void

    func handle(_ request: HTTPFrontRequest, responder: HTTPResponder) {
        if isModern(request) {
            handleModern(request, responder: responder)
            return
        }
        switch request.head.method {
        case .POST:
            post(request, responder: responder)
        case .GET:
            get(request, responder: responder)
        case .DELETE:
            delete(request, responder: responder)
        default:
            var headers = HTTPHeaders()
            headers.add(name: "allow", value: "GET, POST, DELETE")
            responder.reject(.methodNotAllowed, "\(request.head.method) is not allowed here; use POST, GET or DELETE", headers: headers)
        }
    }

    /// A POST's body, scanned, and what its Accept allows; nil after answering 406, 415 or 400.
    func scannedPost(_ request: HTTPFrontRequest, responder: HTTPResponder) -> (ScannedFrame, HTTPHeaderRules.Acceptance)? {
        let acceptance = HTTPHeaderRules.acceptance(request.header("accept"))
        guard acceptance.json || acceptance.eventStream else {
            responder.reject(.notAcceptable, "Accept must allow application/json and text/event-stream")
            return nil
        }
        guard HTTPHeaderRules.isJSONContentType(request.header("content-type")) else {
            responder.reject(.unsupportedMediaType, "Content-Type must be application/json")
            return nil
        }
        do {
            return (try scanner.scan(request.body), acceptance)
        } catch {
            responder.respondJSON(status: .badRequest, body: JSONRPCEncoder.errorResponse(for: error))
            return nil
        }
    }

    private func post(_ request: HTTPFrontRequest, responder: HTTPResponder) {
        guard let (frame, acceptance) = scannedPost(request, responder: responder) else { return }
        if case .batch(let elements) = frame {
            let failures = elements.compactMap { element -> ByteBuffer? in
                if case .failure(let error) = element { return JSONRPCEncoder.errorResponse(for: error) }
                return nil
            }
            if !failures.isEmpty {
                responder.respondJSON(status: .badRequest, body: JSONArrayJoin.join(failures))
                return
            }
        }
        if let sessionID = request.header("mcp-session-id") {
            guard let session = existingOrRestored(sessionID, request: request, responder: responder) else { return }
            session.receivePost(frame, body: TraceHeaders.body(of: request, frame: frame), acceptance: acceptance, createsSession: false,
                                responder: responder)
            return
        }
        guard case .single(let message) = frame, message.envelope.kind == .request, message.envelope.method == .initialize else {
            responder.reject(.badRequest, "Mcp-Session-Id is missing; start with an initialize request, then send the session id it returns on every request")
            return
        }
        var id = SessionIdentifier.make()
        if let continuity = settings.continuity {
            guard let sealed = continuity.newSessionID(path: endpoint.path, principal: request.principal, initialize: message) else {
                responder.reject(.badRequest, "the initialize request is too large to be carried in a session id; send fewer client capabilities")
                return
            }
            id = sealed
        }
        let session = StreamableHTTPSession(
            id: id, endpoint: endpoint, settings: settings, eventLoop: responder.channel.eventLoop,
            logger: logger, principal: request.principal
        ) { [registry] id in registry.remove(id) }
        if let refusal = registry.add(session, principal: request.principal) {
            logger.notice("refused a new session: a session cap is reached", metadata: ["client": "\(request.remoteAddress ?? "?")"])
            responder.reject(refusal)
            return
        }
        session.receivePost(frame, body: request.body, acceptance: acceptance, createsSession: true, responder: responder)
        logger.info("new session", metadata: ["session": "\(session.id.prefix(8))", "client": "\(request.remoteAddress ?? "?")", "service": "\(endpoint.service)"])
        onSession(HTTPFrontSession(transport: session, service: endpoint.service, remoteAddress: request.remoteAddress, kind: .streamableHTTP))
    }

    private func get(_ request: HTTPFrontRequest, responder: HTTPResponder) {
        guard HTTPHeaderRules.acceptance(request.header("accept")).eventStream else {
            responder.reject(.notAcceptable, "a GET opens an event stream: Accept must allow text/event-stream")
            return
        }
        guard let session = session(for: request, responder: responder) else { return }
        session.openStream(responder: responder, lastEventID: request.header("last-event-id"))
    }

    private func delete(_ request: HTTPFrontRequest, responder: HTTPResponder) {
        if let continuity = settings.continuity, let sessionID = request.header("mcp-session-id") {
            // The session may be served by other replicas too: end it everywhere.
            let local = registry.streamable(sessionID, path: endpoint.path, principal: request.principal)
            guard local != nil || continuity.restore(id: sessionID, path: endpoint.path, principal: request.principal) != nil else {
                responder.reject(.notFound, "session \(sessionID.prefix(16)) does not exist or has ended; initialize a new session without Mcp-Session-Id")
                return
            }
            continuity.ended(id: sessionID)
            settings.relay?.ended(session: sessionID)
            local?.terminate(.endOfStream)
            responder.respond(status: .ok)
            return
        }
        guard let session = session(for: request, responder: responder) else { return }
        session.terminate(.endOfStream)
        responder.respond(status: .ok)
    }

    /// The session `id` of this endpoint: live here, or opened on another replica and restored
    /// here from its sealed id (then handed to the proxy like a new one). When neither, answers
    /// 404 (or the cap's refusal) and returns nil.
    private func existingOrRestored(_ id: String, request: HTTPFrontRequest, responder: HTTPResponder) -> StreamableHTTPSession? {
        if let session = registry.streamable(id, path: endpoint.path, principal: request.principal) { return session }
        guard let continuity = settings.continuity,
              let restored = continuity.restore(id: id, path: endpoint.path, principal: request.principal) else {
            responder.reject(.notFound, "session \(id.prefix(16)) does not exist or has ended; initialize a new session without Mcp-Session-Id")
            return nil
        }
        let session = StreamableHTTPSession(
            id: id, endpoint: endpoint, settings: settings, eventLoop: responder.channel.eventLoop,
            logger: logger, principal: request.principal
        ) { [registry] id in registry.remove(id) }
        switch registry.addRestored(session, principal: request.principal) {
        case .added:
            logger.info("session restored from its id", metadata: ["session": "\(id.prefix(8))", "client": "\(request.remoteAddress ?? "?")"])
            onSession(HTTPFrontSession(transport: session, service: endpoint.service, remoteAddress: request.remoteAddress,
                                       kind: .streamableHTTP, restored: restored))
            return session
        case .existing(let other):
            // Another request restored it first.
            if other.binding.admits(request.principal) { return other }
            responder.reject(.notFound, "session \(id.prefix(16)) does not exist or has ended; initialize a new session without Mcp-Session-Id")
            return nil
        case .refused(let refusal):
            logger.notice("refused to restore a session: a session cap is reached", metadata: ["client": "\(request.remoteAddress ?? "?")"])
            responder.reject(refusal)
            return nil
        }
    }

    /// The session named by the request, or nil after answering 400 or 404.
    private func session(for request: HTTPFrontRequest, responder: HTTPResponder) -> StreamableHTTPSession? {
        guard let sessionID = request.header("mcp-session-id") else {
            responder.reject(.badRequest, "Mcp-Session-Id is missing; send the id that initialize returned")
            return nil
        }
        return existingOrRestored(sessionID, request: request, responder: responder)
    }
}
