import JSONRPC
import NIOCore
import NIOHTTP1

/// What a Streamable HTTP session does differently when a ``SessionRelay`` joins the replicas:
/// its GET stream is fed from the shared log, answers to other replicas' requests go back to
/// them, and POST streams of other replicas cannot be resumed here.
extension StreamableHTTPSession {
    /// Feeds the GET stream `responder` (just attached) from the shared log, after `lastEventID`.
    func feed(_ responder: HTTPResponder, from relay: any SessionRelay, after lastEventID: String?) {
        let stream = RelayedStream(
            write: { eventID, message in responder.write(SSEEncoder.encode(id: eventID, event: nil, data: message)) },
            end: { [weak self] in
                self?.relayEnded(responder)
                responder.endStream()
            })
        guard let attachment = relay.attach(session: id, lastEventID: lastEventID, to: stream) else {
            logger.info("the shared event log is unreachable: this GET stream carries this replica's events only until it is back")
            return
        }
        let stale = state.withLockedValue { state -> (any SessionRelayAttachment)? in
            guard state.open, state.standalone === responder else { return attachment }
            defer { state.relayFeed = attachment }
            return state.relayFeed
        }
        stale?.cancel()
    }

    /// The relay ended the GET stream `responder` (another GET stream took over, or the shared
    /// log became unreachable): the session has no GET stream here any more.
    private func relayEnded(_ responder: HTTPResponder) {
        state.withLockedValue { state in
            guard state.standalone === responder else { return }
            state.standalone = nil
            state.streams[0]?.connection = nil
            state.relayFeed = nil
        }
    }

    /// Answers 410 when `resume` names a POST stream another replica opened: that replica holds
    /// the stream's request, and this one can neither replay nor finish it.
    func refusesForeignStream(_ resume: SSEEventID, responder: HTTPResponder) -> Bool {
        guard let relay = settings.relay, resume.stream != 0, !relay.tag.owns(stream: resume.stream) else { return false }
        responder.reject(
            .gone,
            "Last-Event-ID \(resume.text) names a response stream that another replica holds; it cannot be resumed here. If that replica stopped, the request's answer is lost: send the request again")
        return true
    }

    /// Splits a POST of answers (responses and notifications, no request): answers to requests
    /// another replica sent are forwarded to it, and the POST is answered 202 once they are
    /// handed on (503 when they cannot be); returns what is left for this replica, if anything.
    /// Called under the session's lock: it only starts the forwarding.
    func forwardAnswers(_ messages: [JSONRPCMessage], body: ByteBuffer, relay: any SessionRelay, responder: HTTPResponder) -> ByteBuffer? {
        var foreign: [(ByteBuffer, ReplicaTag)] = []
        var local: [ByteBuffer] = []
        for message in messages {
            if message.envelope.kind == .successResponse || message.envelope.kind == .errorResponse,
               let id = message.envelope.id, let owner = ReplicaTag.owner(ofRequestID: id), owner != relay.tag {
                foreign.append((message.bytes, owner))
            } else {
                local.append(message.bytes)
            }
        }
        guard !foreign.isEmpty else {
            responder.respond(status: .accepted)
            return body
        }
        let session = id
        let logger = logger
        Task {
            var handed = true
            for (message, owner) in foreign where !(await relay.forward(message, session: session, to: owner)) {
                handed = false
            }
            if handed {
                responder.respond(status: .accepted)
            } else {
                logger.warning("could not forward an answer to the replica that asked for it: the shared store is unreachable")
                responder.reject(.serviceUnavailable, "the replica waiting for this answer cannot be reached now; send it again")
            }
        }
        if local.isEmpty { return nil }
        return local.count == 1 ? local[0] : JSONArrayJoin.join(local)
    }

    /// Takes an answer another replica forwarded: the client POSTed it there.
    func receiveForwarded(_ message: ByteBuffer) {
        let open = state.withLockedValue { state -> Bool in
            guard state.open else { return false }
            state.lastActivity = .now()
            return true
        }
        guard open else {
            logger.info("dropping an answer forwarded by another replica: the session ended here")
            return
        }
        delivery.deliver(.message(message))
    }
}
