import JSONRPC
import NIOCore
import NIOHTTP1

/// Asks the injected ``RequestAdmission`` about requests to MCP endpoints: builds the
/// ``AdmissionRequest`` from a request head and its connection, and turns decisions into answers.
final class AdmissionGate: Sendable {
    private let admission: any RequestAdmission
    /// The MCP endpoints by path: the kind of request and the service.
    private let endpoints: [String: (kind: AdmissionRequest.Endpoint, service: String)]

    init(admission: any RequestAdmission, endpoints: [HTTPEndpoint]) {
        self.admission = admission
        var map: [String: (kind: AdmissionRequest.Endpoint, service: String)] = [:]
        for endpoint in endpoints {
            switch endpoint.kind {
            case .streamableHTTP:
                map[endpoint.path] = (.streamableHTTP, endpoint.service)
            case .legacySSE(let messagesPath):
                map[endpoint.path] = (.legacySSEStream, endpoint.service)
                map[messagesPath] = (.legacySSEMessages, endpoint.service)
            case .webSocket:
                map[endpoint.path] = (.webSocketUpgrade, endpoint.service)
            }
        }
        self.endpoints = map
    }

    /// The admission request for `head` on `channel`, or nil when the path is no MCP endpoint
    /// (nothing to admit). Call on the channel's event loop. `peerSubject` is the connection's
    /// verified client certificate subject, when the caller already knows it; `client` is where
    /// the request's client address comes from (the peer, or a trusted balancer's header).
    func request(for head: HTTPRequestHead, channel: any Channel, client: ClientAddress, peerSubject: String?? = nil) -> AdmissionRequest? {
        let path = String(HTTPFrontRequest.path(of: head.uri))
        guard let (kind, service) = endpoints[path] else { return nil }
        let query = Self.query(of: head.uri)
        let sessionID: String?
        switch kind {
        case .legacySSEMessages:
            sessionID = query.flatMap { Self.parameter("sessionId", in: $0) }.map(String.init)
        default:
            sessionID = head.headers.first(name: "mcp-session-id")
        }
        return AdmissionRequest(
            httpMethod: head.method.rawValue, path: path, endpoint: kind, service: service,
            authorization: head.headers.first(name: "authorization"),
            apiKey: head.headers.first(name: "x-api-key"),
            accessTokenInQuery: query.map { Self.parameter("access_token", in: $0) != nil } ?? false,
            remoteAddress: client.host(of: channel),
            peerCertificateSubject: peerSubject ?? PeerCertificateSubject.of(channel),
            sessionID: sessionID)
    }

    /// The fast path's decision, or nil to go the slow way.
    func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision? {
        admission.admitImmediately(request)
    }

    /// The slow path: asks from a task and calls `completion` on `eventLoop` with the decision.
    func admit(
        _ request: AdmissionRequest, on eventLoop: any EventLoop, completion: @escaping @Sendable (AdmissionDecision) -> Void
    ) {
        let admission = self.admission
        Task {
            let decision = await admission.admit(request)
            eventLoop.execute { completion(decision) }
        }
    }

    /// The decision as a future on `eventLoop` (fast path: already completed).
    func decide(_ request: AdmissionRequest, on eventLoop: any EventLoop) -> EventLoopFuture<AdmissionDecision> {
        if let decision = admission.admitImmediately(request) {
            return eventLoop.makeSucceededFuture(decision)
        }
        let promise = eventLoop.makePromise(of: AdmissionDecision.self)
        admit(request, on: eventLoop) { promise.succeed($0) }
        return promise.futureResult
    }

    private static func query(of uri: String) -> Substring? {
        guard let mark = uri.firstIndex(of: "?") else { return nil }
        return uri[uri.index(after: mark)...]
    }

    private static func parameter(_ name: String, in query: Substring) -> Substring? {
        for pair in query.split(separator: "&") {
            let equals = pair.firstIndex(of: "=") ?? pair.endIndex
            if pair[..<equals] == name {
                return equals == pair.endIndex ? "" : pair[pair.index(after: equals)...]
            }
        }
        return nil
    }
}

extension HTTPResponder {
    /// Writes an admission's rejection as given (`Content-Type: application/json` unless set).
    func respond(_ rejection: HTTPRejection) {
        var headers = HTTPHeaders()
        for (name, value) in rejection.headers { headers.add(name: name, value: value) }
        if !headers.contains(name: "content-type") { headers.add(name: "content-type", value: "application/json") }
        var body = channel.allocator.buffer(capacity: rejection.body.count)
        body.writeBytes(rejection.body)
        respond(status: HTTPResponseStatus(statusCode: rejection.status), headers: headers, body: body)
    }
}
