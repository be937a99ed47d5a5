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
/// refused request is read and dropped; NIO's pipelining handler holds later requests back until
/// this one is answered.
final class HTTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
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
        switch unwrapInboundIn(data) {
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

    func channelInactive(context: ChannelHandlerContext) {
        generation &+= 1
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
