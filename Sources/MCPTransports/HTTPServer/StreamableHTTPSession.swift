import JSONRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// One Streamable HTTP session (MCP 2025-03-26 to 2025-11-25) as the proxy sees it: a
/// `MessageTransport` whose inbound messages are the client's POST bodies and whose outbound
/// messages are routed to the right HTTP answer.
///
/// Routing of an outbound message:
/// - the response to a request goes to the POST that carried the request; the first message for
///   that POST decides its form: the response alone is answered as `application/json`, a related
///   message before it (sent with `relatedTo:` that request, or progress for the request's
///   `_meta.progressToken`) turns the answer into a `text/event-stream` that ends after the response;
/// - anything else goes to the session's GET stream, or waits in the replay buffer until one opens.
///
/// Every event carries an id `<stream>-<sequence>`; a client that lost a stream resumes it with a
/// GET and `Last-Event-ID`. A dropped POST connection is not a cancellation: the request stays
/// open and its events stay in the (bounded) replay buffer.
final class StreamableHTTPSession: FrontSession, ReplayBudgetMember {
    let name: String
    /// The `Mcp-Session-Id`.
    let id: String
    /// The endpoint the session belongs to.
    let endpoint: HTTPEndpoint
    let settings: FrontStreamSettings
    let logger: Logger
    let delivery: SinkDelivery
    private let scanner = JSONRPCScanner(limits: ScanLimits(maxMessageBytes: .max, maxDepth: 1024))
    let state: NIOLockedValueBox<StreamableSessionState>
    private let onEnded: @Sendable (String) -> Void
    /// The principal that created the session (refreshed by later requests of the same identity).
    let binding: PrincipalBinding

    init(
        id: String, endpoint: HTTPEndpoint, settings: FrontStreamSettings, eventLoop: any EventLoop, logger: Logger,
        principal: Principal = .anonymous, onEnded: @escaping @Sendable (String) -> Void
    ) {
        self.id = id
        self.binding = PrincipalBinding(principal)
        self.endpoint = endpoint
        self.name = "http:\(endpoint.service):\(id.prefix(8))"
        self.settings = settings
        var logger = logger
        logger[metadataKey: "session"] = "\(id.prefix(8))"
        self.logger = logger
        self.delivery = SinkDelivery(eventLoop: eventLoop)
        self.state = NIOLockedValueBox(StreamableSessionState(settings: settings))
        self.onEnded = onEnded
    }

    // MARK: MessageTransport

    var principal: Principal {
        binding.current
    }

    func start(sink: any MessageSink) async throws(TransportError) {
        delivery.attach(sink)
    }

    @discardableResult
    func send(_ message: ByteBuffer) -> Bool {
        send(message, relatedTo: nil)
    }

    @discardableResult
    func send(_ message: ByteBuffer, relatedTo request: JSONRPCID?) -> Bool {
        let outbound = FrontOutboundMessage(classifying: message, scanner: scanner)
        let budget = settings.replayBudget
        let (accepted, outcome, dropped) = state.withLockedValue { state -> (Bool, ResponseOutcome, Int) in
            guard state.open else { return (false, .delivered, 0) }
            let replayBytes = state.replay.byteCount
            defer { budget.adjust(self, by: state.replay.byteCount - replayBytes) }
            var outcome = ResponseOutcome.delivered
            switch outbound {
            case .responses(let ids, let single):
                outcome = routeResponse(message, ids: ids, single: single, in: &state)
            case .progress(let token):
                routeRelated(message, to: token.flatMap { state.requestOfProgressToken[$0] } ?? request, in: &state)
            case .other:
                routeRelated(message, to: request, in: &state)
            }
            guard state.droppedUndelivered > 0, !state.dropsReported else { return (true, outcome, 0) }
            state.dropsReported = true
            defer { state.droppedUndelivered = 0 }
            return (true, outcome, state.droppedUndelivered)
        }
        if dropped > 0 {
            logger.warning(
                "the replay buffer is full and no client reads it: the oldest events are dropped until a GET stream opens; raise replayBufferEvents or maxQueuedBytesPerStream (or maxReplayBytesTotal) if clients reconnect slowly",
                metadata: ["dropped": "\(dropped)"])
        }
        if budget.isExceeded, budget.enforce() {
            logger.notice(
                "the replay buffers of all sessions together exceed maxReplayBytesTotal: dropping the oldest replayable events of the largest sessions",
                metadata: ["limit": "\(budget.limit)"])
        }
        switch outcome {
        case .delivered:
            break
        case .undeliverable:
            logger.info("the client closed its POST before the answer; the response cannot be delivered")
        case .unknownRequest:
            logger.debug("dropping a response for a request this session does not know")
        case .initializeFailed:
            logger.notice("initialize failed; ending the session")
            terminate(.endOfStream)
        }
        return accepted
    }

    /// Answers the POST with `hint`'s status when this error is the only answer of a single-request
    /// POST that has not started streaming; otherwise sends it like any response.
    @discardableResult
    func sendRefusal(_ message: ByteBuffer, hint: MCPRefusal.HTTPHint) -> Bool {
        guard case .responses(let ids, _) = FrontOutboundMessage(classifying: message, scanner: scanner), ids.count == 1 else {
            return send(message)
        }
        let sessionID = id
        let answered = state.withLockedValue { state -> Bool in
            guard state.open, let number = state.exchange(relatedTo: ids[0]), let exchange = state.exchanges[number],
                  case .undecided = exchange.mode, !exchange.isBatch, exchange.outstanding.count == 1, exchange.collected.isEmpty
            else { return false }
            _ = state.settle(ids[0])
            state.exchanges[number] = nil
            var headers = HTTPHeaders()
            for (name, value) in hint.headers { headers.add(name: name, value: value) }
            if exchange.createsSession { headers.add(name: "mcp-session-id", value: sessionID) }
            exchange.responder.respondJSON(status: HTTPResponseStatus(statusCode: hint.status), headers: headers, body: message)
            return true
        }
        return answered || send(message)
    }

    func close() async {
        terminate(.closedLocally)
    }

    // MARK: Outbound routing (under the lock)

    /// What became of a response.
    private enum ResponseOutcome {
        case delivered
        /// The POST it answers was closed before any answer began.
        case undeliverable
        /// No open request has its id.
        case unknownRequest
        /// It answered `initialize` with an error: the session must end.
        case initializeFailed
    }

    /// Routes a response (or a batch of responses) to the POST that carried the request.
    private func routeResponse(
        _ message: ByteBuffer, ids: [JSONRPCID], single: JSONRPCMessage?, in state: inout StreamableSessionState
    ) -> ResponseOutcome {
        var outcome = ResponseOutcome.delivered
        if let pending = state.initializeRequest, ids.contains(pending) {
            state.initializeRequest = nil
            if let version = FrontOutboundMessage.negotiatedVersion(single) {
                state.protocolVersion = version
            } else {
                outcome = .initializeFailed
            }
        }
        var number: Int?
        for id in ids {
            if let found = state.settle(id) { number = found }
        }
        guard let number, var exchange = state.exchanges[number] else {
            return outcome == .delivered ? .unknownRequest : outcome
        }
        let complete = exchange.outstanding.isEmpty
        switch exchange.mode {
        case .undecided:
            if exchange.acceptance.json || !exchange.acceptance.eventStream {
                exchange.collected.append(message)
                guard complete else {
                    state.exchanges[number] = exchange
                    return outcome
                }
                var headers = HTTPHeaders()
                if exchange.createsSession && outcome != .initializeFailed { headers.add(name: "mcp-session-id", value: id) }
                let body = exchange.collected.count == 1 ? message : JSONArrayJoin.join(exchange.collected)
                exchange.responder.respondJSON(headers: headers, body: body)
                state.exchanges[number] = nil
            } else {
                state.exchanges[number] = exchange
                if let stream = state.startStream(for: number, sessionID: id, settings: settings) {
                    state.appendEvent(message, to: stream)
                    if complete {
                        state.finishStream(stream)
                        state.exchanges[number] = nil
                    }
                }
            }
        case .streaming(let stream), .detached(.some(let stream)):
            state.appendEvent(message, to: stream)
            if complete {
                state.finishStream(stream)
                state.exchanges[number] = nil
            } else {
                state.exchanges[number] = exchange
            }
        case .detached(.none):
            state.exchanges[number] = complete ? nil : exchange
            return outcome == .delivered ? .undeliverable : outcome
        }
        return outcome
    }

    /// Routes a request or notification: onto the stream of the POST it relates to, else the GET stream.
    private func routeRelated(_ message: ByteBuffer, to request: JSONRPCID?, in state: inout StreamableSessionState) {
        if let number = state.exchange(relatedTo: request), let exchange = state.exchanges[number] {
            switch exchange.mode {
            case .undecided where exchange.acceptance.eventStream:
                if let stream = state.startStream(for: number, sessionID: id, settings: settings) {
                    state.appendEvent(message, to: stream)
                    return
                }
            case .streaming(let stream), .detached(.some(let stream)):
                state.appendEvent(message, to: stream)
                return
            case .undecided, .detached(.none):
                break
            }
        }
        if let relay = settings.relay, relay.publish(message, session: id) { return }
        state.appendEvent(message, to: 0)
    }

    // MARK: Ending

    /// Ends the session: open answers are ended, the proxy hears `reason` once.
    func terminate(_ reason: TransportCloseReason) {
        let ended = state.withLockedValue { state -> Bool in
            guard state.open else { return false }
            state.open = false
            for exchange in state.exchanges.values {
                if case .undecided = exchange.mode {
                    exchange.responder.reject(.notFound, "the session ended before the answer; initialize a new session")
                }
            }
            for stream in state.streams.values {
                stream.connection?.endStream()
            }
            state.standalone?.endStream()
            state.standalone = nil
            state.relayFeed?.cancel()
            state.relayFeed = nil
            state.exchanges = [:]
            state.streams = [:]
            state.exchangeOfRequest = [:]
            state.requestOfProgressToken = [:]
            state.progressTokenOfRequest = [:]
            state.replay.removeAll()
            settings.replayBudget.release(self)
            return true
        }
        guard ended else { return }
        logger.info("session ended: \(reason)")
        onEnded(id)
        delivery.finish(reason)
    }

    /// Drops the oldest replayable events for the front's total replay budget.
    func shedReplay(atLeast bytes: Int) -> Int {
        let budget = settings.replayBudget
        let shed = state.withLockedValue { state -> (events: Int, bytes: Int) in
            guard state.open else { return (0, 0) }
            let shed = state.shedReplay(atLeast: bytes)
            budget.adjust(self, by: -shed.bytes)
            return shed
        }
        if shed.events > 0 {
            budget.countShed(shed.events)
            logger.debug("dropped replayable events for the total replay budget", metadata: ["events": "\(shed.events)", "bytes": "\(shed.bytes)"])
        }
        return shed.bytes
    }

    /// True when the session has no open connection and saw no request for the idle timeout.
    func isIdle(at now: NIODeadline) -> Bool {
        let timeout = TimeAmount(settings.sessionIdleTimeout)
        return state.withLockedValue { state in
            state.open && state.hasNoConnection && now - state.lastActivity >= timeout
        }
    }

    /// The protocol version the session negotiated, once `initialize` was answered.
    var protocolVersion: ProtocolVersion? {
        state.withLockedValue { $0.protocolVersion }
    }
}

