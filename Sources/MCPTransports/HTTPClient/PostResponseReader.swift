import NIOCore
import NIOHTTP1

/// Reads the answer to one POST of a `StreamableHTTPClientTransport` as its parts arrive, on one
/// event loop, and turns it into a `PostOutcome`; whichever HTTP client carries the POST (the
/// lean one, `LeanHTTPPool`, or AsyncHTTPClient through `StreamablePostDelegate`) feeds it.
///
/// A JSON body is collected up to `maxMessageBytes` (beyond that it is only counted) and routed
/// when complete; an event stream is fed to a `ServerSentEventParser` chunk by chunk and each
/// message is routed at once; any other status keeps the start of its body for the error message.
/// When the request's response has arrived on an event stream that the server then keeps open,
/// the stream is given a moment to end and is then cancelled (``body(_:cancel:on:)``), so that
/// it does not hold a connection until the deadline.
final class PostResponseReader: Sendable {
    /// How long an event stream may stay open after the response it was opened for.
    static let answeredStreamGrace = TimeAmount.seconds(1)

    /// What the head said the body is, and so how it is read.
    private enum BodyKind: Sendable {
        /// The head has not arrived.
        case unread
        case json
        case events
        /// An HTTP error: the start of the body is kept for the message.
        case excerpt
        /// A 4xx with a JSON body to a 2026-07-28 request: collected, since a modern server's
        /// JSON-RPC error there is its answer (the start is kept for the message too).
        case modernError
        /// A 2xx answer without a JSON or event-stream body.
        case unusable
        /// 404 to a request with a session id: the session is gone.
        case expired
    }

    /// What has arrived so far (touched only on the delegate's event loop).
    private struct Reading: Sendable {
        var kind = BodyKind.unread
        var status = HTTPResponseStatus.ok
        var json: ByteBuffer?
        var byteCount = 0
        var parser: ServerSentEventParser?
        var oversized = false
        var excerpt = BodyExcerpt()
        var grace: Scheduled<Void>?

        /// Adds a part of a JSON body; past `limit` bytes the body is dropped (counted only).
        mutating func collectJSON(_ buffer: ByteBuffer, limit: Int) {
            byteCount += buffer.readableBytes
            if byteCount > limit {
                json = nil
            } else if json == nil {
                json = buffer
            } else {
                json?.writeImmutableBuffer(buffer)
            }
        }
    }

    /// What the end of the body leaves to deliver, after the reading state is let go.
    private enum Delivery {
        case none
        case json(ByteBuffer)
        case oversized(Int)
    }

    private let transport: StreamableHTTPClientTransport
    private let label: String
    private let exchange: RequestExchange?
    private let hasSession: Bool
    private let limit: Int
    private let reading: NIOLoopBoundBox<Reading>

    /// A reader for one POST, called on `loop`; `label` names the message in errors, `exchange`
    /// is set for a request and nil for a notification or response.
    init(transport: StreamableHTTPClientTransport, label: String, exchange: RequestExchange?, ticket: SessionTicket, on loop: any EventLoop) {
        self.transport = transport
        self.label = label
        self.exchange = exchange
        self.hasSession = ticket.sessionID != nil
        self.limit = transport.configuration.maxMessageBytes
        self.reading = .makeBoxSendingValue(Reading(), eventLoop: loop)
    }

    private var url: String { transport.configuration.url }

    /// The response head arrived.
    func head(_ head: HTTPResponseHead) {
        let code = Int(head.status.code)
        if (200..<300).contains(code), exchange?.isInitialize == true {
            transport.adoptSession(from: head.headers)
        }
        let limit = self.limit
        reading.withValue { reading in
            reading.status = head.status
            switch code {
            case 200..<300:
                switch ResponseContent(head.headers) {
                case .json: reading.kind = .json
                case .eventStream:
                    reading.kind = .events
                    reading.parser = ServerSentEventParser(maxEventBytes: limit)
                case .none, .other: reading.kind = .unusable
                }
            case 404 where hasSession:
                reading.kind = .expired
            case 400..<500 where exchange?.isModern == true && ResponseContent(head.headers) == .json:
                reading.kind = .modernError
            default:
                reading.kind = .excerpt
            }
        }
    }

    /// A part of the body arrived; `cancel` ends the exchange once an answered event stream has
    /// stayed open for ``answeredStreamGrace``.
    func body(_ buffer: ByteBuffer, cancel: @escaping @Sendable () -> Void, on loop: any EventLoop) {
        let transport = self.transport
        let limit = self.limit
        let answered = reading.withValue { reading -> Bool in
            switch reading.kind {
            case .json:
                reading.collectJSON(buffer, limit: limit)
                return false
            case .events:
                var oversized = false
                reading.parser?.feed(buffer) { output in
                    if transport.handle(output) { oversized = true }
                }
                if oversized { reading.oversized = true }
                return reading.grace == nil && exchange?.isAnswered == true
            case .excerpt:
                reading.excerpt.append(buffer)
                return false
            case .modernError:
                reading.excerpt.append(buffer)
                reading.collectJSON(buffer, limit: limit)
                return false
            case .unread, .unusable, .expired:
                return false
            }
        }
        if answered {
            let grace = loop.scheduleTask(in: Self.answeredStreamGrace) { cancel() }
            reading.withValue { $0.grace = grace }
        }
    }

    /// The exchange broke off (the outcome follows from ``outcome(after:)``).
    func stop() {
        reading.withValue { $0.grace?.cancel() }
    }

    /// The body ended: routes a JSON answer and says how the POST went.
    func finish() -> PostOutcome {
        var delivery = Delivery.none
        let outcome = reading.withValue { reading -> PostOutcome in
            reading.grace?.cancel()
            switch reading.kind {
            case .json:
                if reading.byteCount > limit {
                    delivery = .oversized(reading.byteCount)
                    return .failed("the response to \(label) was \(reading.byteCount) bytes, over the limit of \(limit) bytes (maxMessageBytes)", status: nil)
                }
                delivery = .json(reading.json ?? ByteBuffer())
                reading.json = nil
                return .finished
            case .events:
                return streamEnded(&reading, cause: "the server closed it")
            case .modernError:
                if let exchange, let body = reading.json, reading.byteCount <= limit,
                   let reply = ModernPostHeaders.errorReply(body, idBytes: exchange.idBytes, scanner: transport.scanner) {
                    reading.json = nil
                    delivery = .json(reply)
                    return .finished
                }
                return statusOutcome(reading)
            case .unread, .unusable, .expired, .excerpt:
                return statusOutcome(reading)
            }
        }
        switch delivery {
        case .none: break
        case .json(let buffer): transport.receiveJSONBody(buffer)
        case .oversized(let count): transport.gate.deliver(.oversized(byteCount: count, limit: limit))
        }
        return outcome
    }

    /// The outcome of a POST that failed with `error` (call on the reader's event loop); a
    /// deadline that ran out is `.timedOut`, which the caller decides.
    func outcome(after error: any Error) -> PostOutcome {
        reading.withValue { reading -> PostOutcome in
            switch reading.kind {
            case .unread:
                return .failed("cannot reach \(url): \(describeHTTPError(error))", status: nil)
            case .json:
                return .failed("the response to \(label) broke off: \(describeHTTPError(error))", status: nil)
            case .events:
                return streamEnded(&reading, cause: describeHTTPError(error))
            case .unusable, .expired, .excerpt, .modernError:
                return statusOutcome(reading)
            }
        }
    }

    /// An event stream ended (or broke) with `cause`.
    private func streamEnded(_ reading: inout Reading, cause: String) -> PostOutcome {
        reading.parser?.finish()
        guard let exchange, !exchange.isAnswered else { return .finished }
        if reading.oversized {
            return .failed("the response to \(label) was over the limit of \(limit) bytes (maxMessageBytes)", status: nil)
        }
        let lastEventID = reading.parser?.lastEventID ?? ""
        guard !lastEventID.isEmpty else {
            return .failed("the event stream for \(label) ended before the response (\(cause)) and carried no event id to resume from", status: nil)
        }
        return .broken(StreamBreak(lastEventID: lastEventID, retryMilliseconds: reading.parser?.reconnectionTime))
    }

    /// The outcome decided by the status alone.
    private func statusOutcome(_ reading: Reading) -> PostOutcome {
        let code = Int(reading.status.code)
        switch reading.kind {
        case .expired:
            return .sessionExpired
        case .unusable:
            guard exchange != nil else { return .finished }
            return .failed("\(url) answered HTTP \(code) to \(label) without a JSON or event-stream body", status: nil)
        default:
            let detail = reading.excerpt.text
            let reason = "\(url) answered HTTP \(code) \(reading.status.reasonPhrase) to \(label)"
            return .failed(detail.isEmpty ? reason : "\(reason): \(detail)", status: code)
        }
    }
}
