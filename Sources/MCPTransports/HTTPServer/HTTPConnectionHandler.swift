import JSONRPC
import Logging
import NIOCore
import NIOHTTP1

/// The last handler of an HTTP connection: admits each request to an MCP endpoint (when an
/// admission policy is configured) as soon as its head arrives, gathers its body (at most
/// `maxBodyBytes`, 413 beyond) and hands the complete request to the router with a responder for
/// its answer, or writes the admission's rejection.
///
/// Admission runs while the body arrives: the fast path decides on the head at once; the slow path
/// asks from a task and the request continues on this event loop with the answer. A body of a
/// refused request is read and dropped.
///
/// HTTP/1.1 pipelining is handled here rather than by NIO's pipelining handler: request parts
/// that arrive while a request waits for its answer are kept, in order, and handled once the
/// answer's end goes out. Reading goes on meanwhile (NIO's handler stopped and restarted reading
/// around every request: two `epoll_ctl` calls each); only a client that piles up more than
/// `maxBodyBytes` of pipelined requests is stopped until the queue drains.
final class HTTPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer?)
        /// The request is complete; the slow admission path has not answered yet.
        case awaitingAdmission(HTTPRequestHead, ByteBuffer?)
        case discarding
    }

    /// The admission of the current request; nil when none is needed (anonymous).
    private enum Admission {
        case pending
        case decided(AdmissionDecision)
    }

    private var state = State.idle
    /// A complete request waits for its answer's end; parts that arrive meanwhile are queued.
    private var busy = false
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    private var queuedBytes = 0
    /// Reading stopped because the queue is full; `readPending`: a read was asked for meanwhile.
    private var readsHeld = false
    private var readPending = false
    private var admission: Admission?
    /// Counts requests, so a slow admission answer for an earlier request (or a closed connection) is ignored.
    private var generation = 0
    private var current: HTTPResponder?
    private let maxBodyBytes: Int
    private let maxQueuedBytes: Int
    private let logger: Logger
    private let gate: AdmissionGate?
    private let timer: ConnectionTimer?
    /// The balancers whose forwarding headers name the client; nil when none are trusted (no
    /// header is read).
    private let trustedProxies: TrustedProxies?
    /// Where the current request's client address comes from, resolved when its head arrived.
    private var client = ClientAddress.peer
    private let dispatch: @Sendable (HTTPFrontRequest, HTTPResponder) -> Void
    /// The verified client certificate's subject, looked up once per connection (TLS is set up
    /// before the first request head arrives).
    private var peerSubject: String??

    /// The decision the WebSocket upgrade check made for the head NIO's upgrade handler holds: the
    /// upgrade reads an admitted principal from here; a declined upgrade's head then arrives here
    /// and is answered with this decision rather than asking again.
    var upgradeDecision: AdmissionDecision?
    /// The client address the WebSocket upgrade check resolved for the same head (for the
    /// session's logs once upgraded).
    var upgradeClient = ClientAddress.peer

    init(
        maxBodyBytes: Int, maxQueuedBytes: Int, logger: Logger, gate: AdmissionGate? = nil, timer: ConnectionTimer? = nil,
        trustedProxies: TrustedProxies? = nil, dispatch: @escaping @Sendable (HTTPFrontRequest, HTTPResponder) -> Void
    ) {
        self.trustedProxies = trustedProxies
        self.maxBodyBytes = maxBodyBytes
        self.maxQueuedBytes = maxQueuedBytes
        self.logger = logger
        self.gate = gate
        self.timer = timer
        self.dispatch = dispatch
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if busy || !queued.isEmpty {
            enqueue(part)
            return
        }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            if case .discarding = state { return }  // the connection closes after the 413
            timer?.requestStarted()
            generation &+= 1
            admission = nil
            let stashed = upgradeDecision
            upgradeDecision = nil
            if let trustedProxies { client = ClientAddress(head, channel: context.channel, trusted: trustedProxies) }
            if let declared = head.headers.first(name: "content-length").flatMap({ Int($0) }), declared > maxBodyBytes {
                refuseTooLarge(head, context: context)
                return
            }
            state = .receiving(head, nil)
            if let stashed {
                admission = .decided(stashed)
            } else if let gate {
                startAdmission(head, gate: gate, context: context)
            }
        case .body(var chunk):
            guard case .receiving(let head, let body) = state else { return }
            if case .decided(.reject)? = admission { return }  // refused anyway: drop the body
            state = .idle
            guard (body?.readableBytes ?? 0) + chunk.readableBytes <= maxBodyBytes else {
                refuseTooLarge(head, context: context)
                return
            }
            if var body {
                body.writeBuffer(&chunk)
                state = .receiving(head, body)
            } else {
                state = .receiving(head, chunk)
            }
        case .end:
            guard case .receiving(let head, let body) = state else { return }
            busy = true
            switch admission {
            case nil:
                state = .idle
                finish(head, body: body, principal: .anonymous, context: context)
            case .decided(let decision):
                state = .idle
                admission = nil
                finish(head, body: body, decision: decision, context: context)
            case .pending:
                state = .awaitingAdmission(head, body)
            }
        }
    }

    // MARK: Pipelining

    private func enqueue(_ part: HTTPServerRequestPart) {
        if case .body(let chunk) = part { queuedBytes += chunk.readableBytes }
        queued.append(part)
        if queuedBytes > maxBodyBytes { readsHeld = true }
    }

    func read(context: ChannelHandlerContext) {
        if readsHeld {
            readPending = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let ends: Bool
        if case .end = unwrapOutboundIn(data) { ends = true } else { ends = false }
        context.write(data, promise: promise)
        if ends { answered(context: context) }
    }

    /// The current answer's end went out: the requests that waited are handled, in order, until
    /// one of them waits for its own answer.
    private func answered(context: ChannelHandlerContext) {
        busy = false
        while !busy, let part = queued.popFirst() {
            if case .body(let chunk) = part { queuedBytes -= chunk.readableBytes }
            handle(part, context: context)
        }
        if readsHeld, queuedBytes <= maxBodyBytes {
            readsHeld = false
            if readPending {
                readPending = false
                context.read()
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        generation &+= 1
        busy = false
        queued.removeAll()
        state = .discarding
        current?.connectionClosed()
        current = nil
        context.fireChannelInactive()
    }

    // MARK: Admission

    private func startAdmission(_ head: HTTPRequestHead, gate: AdmissionGate, context: ChannelHandlerContext) {
        if peerSubject == nil { peerSubject = .some(PeerCertificateSubject.of(context.channel)) }
        guard let request = gate.request(for: head, channel: context.channel, client: client, peerSubject: peerSubject) else { return }
        if let decision = gate.admitImmediately(request) {
            admission = .decided(decision)
            return
        }
        admission = .pending
        let generation = self.generation
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopContext = context.loopBound
        gate.admit(request, on: context.eventLoop) { decision in
            handler.value.admissionArrived(decision, generation: generation, context: loopContext.value)
        }
    }

    /// The slow path answered (on the event loop).
    private func admissionArrived(_ decision: AdmissionDecision, generation: Int, context: ChannelHandlerContext) {
        guard generation == self.generation, case .pending? = admission else { return }
        if case .awaitingAdmission(let head, let body) = state {
            state = .idle
            admission = nil
            finish(head, body: body, decision: decision, context: context)
        } else {
            admission = .decided(decision)
        }
    }

    // MARK: Answering

    private func finish(_ head: HTTPRequestHead, body: ByteBuffer?, decision: AdmissionDecision, context: ChannelHandlerContext) {
        switch decision {
        case .admit(let principal):
            finish(head, body: body, principal: principal, context: context)
        case .reject(let rejection):
            let responder = HTTPResponder(channel: context.channel, request: head, maxQueuedBytes: maxQueuedBytes, logger: logger, timer: timer)
            current = responder
            responder.respond(rejection)
        }
    }

    private func finish(_ head: HTTPRequestHead, body: ByteBuffer?, principal: Principal, context: ChannelHandlerContext) {
        let responder = HTTPResponder(channel: context.channel, request: head, maxQueuedBytes: maxQueuedBytes, logger: logger, timer: timer)
        current = responder
        let request = HTTPFrontRequest(
            head: head, body: body ?? context.channel.allocator.buffer(capacity: 0),
            remoteAddress: client.display(of: context.channel), principal: principal)
        dispatch(request, responder)
    }

    private func refuseTooLarge(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .discarding
        let responder = HTTPResponder(channel: context.channel, request: head, maxQueuedBytes: maxQueuedBytes, logger: logger)
        current = responder
        responder.reject(
            .payloadTooLarge, "the request body is larger than the limit of \(maxBodyBytes) bytes; send smaller messages",
            closeConnection: true)
    }
}
