import AsyncHTTPClient
import JSONRPC
import NIOCore
import NIOHTTP1

/// How one POST (with its response stream) ended.
enum PostOutcome: Sendable {
    /// Delivered; any response that came was routed.
    case finished
    /// 404 to a request that carried the session id: the server dropped the session.
    case sessionExpired
    /// Not delivered or not answered; `status` is the HTTP status when there was one.
    case failed(String, status: Int?)
}

extension StreamableHTTPClientTransport {
    /// POSTs `message`, renewing an expired session and retrying (at most twice).
    func sendRenewingSession(_ message: OutgoingMessage, exchange: RequestExchange?) async -> PostOutcome {
        var renewals = 0
        while true {
            guard let ticket = await currentTicket() else {
                return .failed("the transport is closing", status: nil)
            }
            let outcome = await post(message, exchange: exchange, ticket: ticket)
            guard case .sessionExpired = outcome, renewals < 2, !Task.isCancelled else { return outcome }
            renewals += 1
            logger.notice("the server no longer knows the session (HTTP 404); re-initializing", metadata: ["while": "\(message.label)"])
            await renewSession(after: ticket)
        }
    }

    /// One POST and its response body.
    func post(_ message: OutgoingMessage, exchange: RequestExchange?, ticket: SessionTicket) async -> PostOutcome {
        guard let (client, requests) = connection() else {
            return .failed("the transport is closing", status: nil)
        }
        var request = requests.make(.POST, accept: UpstreamHTTPRequests.jsonOrEventStream, body: message.bytes)
        Self.addSessionHeaders(&request, ticket)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: .now() + TimeAmount(configuration.requestTimeout))
        } catch {
            return .failed("cannot reach \(configuration.url): \(describeHTTPError(error))", status: nil)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status), exchange?.isInitialize == true {
            adoptSession(from: response)
        }
        switch status {
        case 200..<300:
            return await readBody(of: response, for: message, exchange: exchange)
        case 404 where ticket.sessionID != nil:
            _ = await response.body.errorExcerpt()
            return .sessionExpired
        default:
            let detail = await response.body.errorExcerpt()
            let reason = "\(configuration.url) answered HTTP \(status) \(response.status.reasonPhrase) to \(message.label)"
            return .failed(detail.isEmpty ? reason : "\(reason): \(detail)", status: status)
        }
    }

    /// The client and request factory, unless closing.
    func connection() -> (HTTPClient, UpstreamHTTPRequests)? {
        state.withLockedValue { state in
            guard !state.closing, let client = state.client, let requests = state.requests else { return nil }
            return (client, requests)
        }
    }

    private func readBody(of response: HTTPClientResponse, for message: OutgoingMessage, exchange: RequestExchange?) async -> PostOutcome {
        switch ResponseContent(response) {
        case .eventStream:
            return await readEventStream(response.body, label: message.label, exchange: exchange)
        case .json:
            let limit = configuration.maxMessageBytes
            do {
                let (buffer, count) = try await response.body.readLimited(limit)
                guard let buffer else {
                    gate.deliver(.oversized(byteCount: count, limit: limit))
                    return .failed("the response to \(message.label) was \(count) bytes, over the limit of \(limit) bytes (maxMessageBytes)", status: nil)
                }
                receiveJSONBody(buffer)
                return .finished
            } catch {
                return .failed("the response to \(message.label) broke off: \(describeHTTPError(error))", status: nil)
            }
        case .none, .other:
            _ = await response.body.errorExcerpt()
            if exchange != nil {
                let status = response.status.code
                return .failed("\(configuration.url) answered HTTP \(status) to \(message.label) without a JSON or event-stream body", status: nil)
            }
            return .finished
        }
    }

    /// A JSON body: one message, or an array whose elements are routed one by one.
    private func receiveJSONBody(_ buffer: ByteBuffer) {
        let first = buffer.withUnsafeReadableBytes { bytes in
            bytes.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }
        }
        guard let first else { return }
        guard first == UInt8(ascii: "["), let root = try? JSONView.parse(buffer, limits: ScanLimits(maxMessageBytes: .max, maxDepth: 512)) else {
            receive(buffer)
            return
        }
        for element in root.elements {
            if let slice = buffer.getSlice(at: buffer.readerIndex + element.range.lowerBound, length: element.range.count) {
                receive(slice)
            }
        }
    }

    /// Delivers the `message` events of a POST's event stream; resumes it with GET when it breaks
    /// before the response to `exchange` arrived.
    private func readEventStream(_ body: HTTPClientResponse.Body, label: String, exchange: RequestExchange?) async -> PostOutcome {
        var parser = ServerSentEventParser(maxEventBytes: configuration.maxMessageBytes)
        var oversized = false
        let error = await body.consumeEvents(with: &parser) { output in
            if handle(output) { oversized = true }
            return !(exchange?.isAnswered ?? false)
        }
        guard let exchange, !exchange.isAnswered else { return .finished }
        if oversized {
            return .failed("the response to \(label) was over the limit of \(configuration.maxMessageBytes) bytes (maxMessageBytes)", status: nil)
        }
        let cause = error.map(describeHTTPError) ?? "the server closed it"
        guard !parser.lastEventID.isEmpty else {
            return .failed("the event stream for \(label) ended before the response (\(cause)) and carried no event id to resume from", status: nil)
        }
        logger.info("event stream broke before the response; resuming", metadata: ["request": "\(label)", "lastEventID": "\(parser.lastEventID)"])
        return await resume(exchange, lastEventID: parser.lastEventID, retryMilliseconds: parser.reconnectionTime)
    }

    /// Resumes a broken response stream with GET and `Last-Event-ID` until the response arrives.
    private func resume(_ exchange: RequestExchange, lastEventID: String, retryMilliseconds: Int?) async -> PostOutcome {
        var lastID = lastEventID
        var delay = min(retryMilliseconds ?? 1000, 30_000)
        var fruitless = 0
        var problem = "the server closed the resumed stream"
        while fruitless < Self.resumeAttempts {
            do {
                try await Task.sleep(for: .milliseconds(delay))
            } catch {
                return .failed("cancelled while waiting to resume the stream", status: nil)
            }
            guard let (client, requests) = connection(), let ticket = await currentTicket() else {
                return .failed("the transport is closing", status: nil)
            }
            var request = requests.make(.GET, accept: UpstreamHTTPRequests.eventStream)
            Self.addSessionHeaders(&request, ticket)
            request.headers.replaceOrAdd(name: "Last-Event-ID", value: lastID)
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: .now() + TimeAmount(configuration.requestTimeout))
            } catch {
                fruitless += 1
                problem = describeHTTPError(error)
                continue
            }
            guard (200..<300).contains(response.status.code), ResponseContent(response) == .eventStream else {
                let detail = await response.body.errorExcerpt()
                return .failed(
                    "the event stream for \(exchange.label) broke before the response, and resuming it (GET with Last-Event-ID: \(lastID)) was answered HTTP \(response.status.code)\(detail.isEmpty ? "" : ": \(detail)")",
                    status: nil)
            }
            var parser = ServerSentEventParser(maxEventBytes: configuration.maxMessageBytes)
            var progressed = false
            var oversized = false
            let error = await response.body.consumeEvents(with: &parser) { output in
                progressed = true
                if handle(output) { oversized = true }
                return !exchange.isAnswered
            }
            if exchange.isAnswered { return .finished }
            if oversized {
                return .failed("the response to \(exchange.label) was over the limit of \(configuration.maxMessageBytes) bytes (maxMessageBytes)", status: nil)
            }
            if !parser.lastEventID.isEmpty { lastID = parser.lastEventID }
            if let retry = parser.reconnectionTime { delay = min(retry, 30_000) }
            fruitless = progressed ? 0 : fruitless + 1
            problem = error.map(describeHTTPError) ?? "the server closed the resumed stream"
        }
        return .failed(
            "the event stream for \(exchange.label) broke before the response and \(Self.resumeAttempts) attempts to resume it failed (\(problem))",
            status: nil)
    }

    /// Handles one parsed event of any stream; returns true when a message was too large.
    func handle(_ output: ServerSentEventOutput) -> Bool {
        switch output {
        case .event(let event):
            if event.isMessage, event.data.readableBytes > 0 { receive(event.data) }
            return false
        case .oversized(let type, let byteCount, _):
            guard type == "message" else { return false }
            gate.deliver(.oversized(byteCount: byteCount, limit: configuration.maxMessageBytes))
            return true
        }
    }
}
