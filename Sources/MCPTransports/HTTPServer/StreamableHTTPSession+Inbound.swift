import JSONRPC
import NIOCore
import NIOHTTP1

/// What a Streamable HTTP session takes from the client: POST bodies, GET streams (new or
/// resumed), and connections that close before their answer.
extension StreamableHTTPSession {

    /// Takes one validated POST body. Requests wait for their answer on `responder`; a body of
    /// only notifications and responses is answered 202 at once.
    func receivePost(
        _ frame: ScannedFrame, body: ByteBuffer, acceptance: HTTPHeaderRules.Acceptance, createsSession: Bool, responder: HTTPResponder
    ) {
        let (problem, deliver) = state.withLockedValue { state -> ((HTTPResponseStatus, String)?, ByteBuffer?) in
            guard state.open else { return ((.notFound, "the session ended; initialize a new session without Mcp-Session-Id"), nil) }
            state.lastActivity = .now()
            let messages: [JSONRPCMessage]
            switch frame {
            case .single(let message):
                messages = [message]
            case .batch(let elements):
                guard state.protocolVersion?.acceptsBatches == true else {
                    return ((.badRequest, "JSON-RPC batches are accepted only under protocol version 2025-03-26; send one message per POST"), nil)
                }
                messages = elements.compactMap { try? $0.get() }
            }
            var requests: [JSONRPCMessage] = []
            var ids = Set<JSONRPCID>()
            for message in messages where message.envelope.kind == .request {
                guard let id = message.envelope.id, state.exchangeOfRequest[id] == nil, ids.insert(id).inserted else {
                    return ((.badRequest, "request id \(message.envelope.id?.description ?? "null") is already in use in this session; use a new id"), nil)
                }
                requests.append(message)
            }
            guard !requests.isEmpty else {
                guard let relay = settings.relay else {
                    responder.respond(status: .accepted)
                    return (nil, body)
                }
                // Answers to requests another replica sent go back to it.
                return (nil, forwardAnswers(messages, body: body, relay: relay, responder: responder))
            }
            let number = state.nextExchange
            state.nextExchange += 1
            state.exchanges[number] = PostExchange(
                responder: responder, outstanding: ids, isBatch: frame.isBatch, acceptance: acceptance, createsSession: createsSession)
            for request in requests {
                guard let requestID = request.envelope.id else { continue }
                state.exchangeOfRequest[requestID] = number
                // Only the initialize that creates the session decides its fate: one sent inside a
                // live session is an ordinary request (the proxy refuses it) and ends nothing.
                if createsSession && request.envelope.method == .initialize { state.initializeRequest = requestID }
                if let token = request.envelope.progressToken {
                    state.requestOfProgressToken[token] = requestID
                    state.progressTokenOfRequest[requestID] = token
                }
            }
            responder.onClose { [weak self] cause in self?.connectionClosed(responder, cause: cause) }
            return (nil, body)
        }
        if let (status, message) = problem {
            responder.reject(status, message)
            return
        }
        if let deliver { delivery.deliver(.message(deliver)) }
    }

    /// Opens the session's GET stream, or resumes a stream from `lastEventID`.
    func openStream(responder: HTTPResponder, lastEventID: String?) {
        let resume = lastEventID.flatMap(SSEEventID.init)
        let relayed = lastEventID.map { settings.relay?.issued(eventID: $0) == true } ?? false
        if lastEventID != nil && resume == nil && !relayed {
            logger.debug("ignoring a Last-Event-ID this server did not issue", metadata: ["lastEventID": "\(lastEventID ?? "")"])
        }
        if let resume, refusesForeignStream(resume, responder: responder) { return }
        let (refusal, attached) = state.withLockedValue { state -> ((HTTPResponseStatus, String)?, Bool) in
            guard state.open else { return ((.notFound, "the session ended; initialize a new session without Mcp-Session-Id"), false) }
            state.lastActivity = .now()
            if let resume, resume.stream != 0 {
                responder.startStream(keepAliveInterval: settings.keepAliveInterval)
                state.replay(resume.stream, after: resume.sequence, to: responder)
                var joinedStream = false
                if var stream = state.streams[resume.stream], !stream.finished {
                    if let old = stream.connection, old !== state.standalone { old.abort() }
                    stream.connection = responder
                    state.streams[resume.stream] = stream
                    joinedStream = true
                }
                if state.standalone == nil {
                    state.attachStandalone(responder, after: nil)
                } else if !joinedStream {
                    responder.endStream()
                    return (nil, false)
                }
            } else {
                if let current = state.standalone {
                    guard resume != nil || relayed else {
                        return ((.conflict, "this session already has an open GET stream; close it before opening another"), false)
                    }
                    // The client lost the old GET connection before this side noticed.
                    current.abort()
                    state.standalone = nil
                    state.streams[0]?.connection = nil
                    state.relayFeed?.cancel()
                    state.relayFeed = nil
                }
                responder.startStream(keepAliveInterval: settings.keepAliveInterval)
                state.attachStandalone(responder, after: resume?.sequence)
            }
            responder.onClose { [weak self] cause in self?.connectionClosed(responder, cause: cause) }
            return (nil, state.standalone === responder)
        }
        if let (status, message) = refusal {
            responder.reject(status, message)
        } else if attached, let relay = settings.relay {
            feed(responder, from: relay, after: relayed ? lastEventID : nil)
        }
    }

    /// A connection of this session closed before its answer was complete.
    func connectionClosed(_ responder: HTTPResponder, cause: HTTPResponder.CloseCause) {
        state.withLockedValue { state in
            state.lastActivity = .now()
            if state.standalone === responder {
                state.standalone = nil
                state.relayFeed?.cancel()
                state.relayFeed = nil
            }
            for (number, stream) in state.streams where stream.connection === responder {
                state.streams[number]?.connection = nil
            }
            for (number, exchange) in state.exchanges where exchange.responder === responder {
                switch exchange.mode {
                case .undecided: state.exchanges[number]?.mode = .detached(nil)
                case .streaming(let stream): state.exchanges[number]?.mode = .detached(stream)
                case .detached: break
                }
            }
        }
        logger.debug("client connection closed", metadata: ["cause": "\(cause)"])
    }
}

extension ScannedFrame {
    var isBatch: Bool {
        if case .batch = self { return true }
        return false
    }
}
