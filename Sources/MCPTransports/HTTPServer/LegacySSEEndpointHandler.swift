import JSONRPC
import Logging
import NIOCore
import NIOHTTP1

/// Answers the two paths of one HTTP+SSE endpoint (MCP 2024-11-05): GET on the endpoint path
/// opens a session's event stream, POST on the messages path carries one client message.
struct LegacySSEEndpointHandler: Sendable {
    let endpoint: HTTPEndpoint
    let messagesPath: String
    let registry: HTTPSessionRegistry
    let settings: FrontStreamSettings
    let scanner: JSONRPCScanner
    let logger: Logger
    let onSession: @Sendable (HTTPFrontSession) -> Void

    /// A request on the endpoint path: GET opens the event stream.
    func handleStream(_ request: HTTPFrontRequest, responder: HTTPResponder) {
        guard request.head.method == .GET else {
            var headers = HTTPHeaders()
            headers.add(name: "allow", value: "GET")
            responder.reject(.methodNotAllowed, "open the event stream with GET, then POST messages to \(messagesPath)", headers: headers)
            return
        }
        guard HTTPHeaderRules.acceptance(request.header("accept")).eventStream else {
            responder.reject(.notAcceptable, "Accept must allow text/event-stream")
            return
        }
        let session = LegacySSESession(
            id: SessionIdentifier.make(), service: endpoint.service, messagesPath: messagesPath, responder: responder, logger: logger,
            principal: request.principal
        ) { [registry] id in registry.remove(id) }
        if let refusal = registry.add(session, principal: request.principal) {
            logger.notice("refused a new session: a session cap is reached", metadata: ["client": "\(request.remoteAddress ?? "?")"])
            responder.reject(refusal)
            return
        }
        session.begin(keepAliveInterval: settings.keepAliveInterval)
        logger.info("new session", metadata: ["session": "\(session.id.prefix(8))", "client": "\(request.remoteAddress ?? "?")", "service": "\(endpoint.service)"])
        onSession(HTTPFrontSession(transport: session, service: endpoint.service, remoteAddress: request.remoteAddress, kind: endpoint.kind))
    }

    /// A request on the messages path: POST delivers one message (or batch) to the session.
    func handleMessage(_ request: HTTPFrontRequest, responder: HTTPResponder) {
        guard request.head.method == .POST else {
            var headers = HTTPHeaders()
            headers.add(name: "allow", value: "POST")
            responder.reject(.methodNotAllowed, "POST messages here; open the event stream with GET \(endpoint.path)", headers: headers)
            return
        }
        guard let sessionID = request.queryValue("sessionId").map(String.init) else {
            responder.reject(.badRequest, "sessionId is missing; POST to the URL of the endpoint event")
            return
        }
        guard let session = registry.legacy(sessionID, messagesPath: messagesPath, principal: request.principal) else {
            responder.reject(.notFound, "session \(sessionID.prefix(16)) does not exist or has ended; open a new event stream with GET \(endpoint.path)")
            return
        }
        guard HTTPHeaderRules.isJSONContentType(request.header("content-type")) else {
            responder.reject(.unsupportedMediaType, "Content-Type must be application/json")
            return
        }
        do {
            _ = try scanner.scan(request.body)
        } catch {
            responder.respondJSON(status: .badRequest, body: JSONRPCEncoder.errorResponse(for: error))
            return
        }
        guard session.receive(request.body) else {
            responder.reject(.notFound, "the session has ended; open a new event stream with GET \(endpoint.path)")
            return
        }
        responder.respond(status: .accepted)
    }
}
