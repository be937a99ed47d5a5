import AsyncHTTPClient
import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

extension StreamableHTTPClientTransport {
    /// POSTs `message`: on the lean client (`LeanHTTPPool`) on `loop`, where the answer is read by
    /// a `PostResponseReader` and `completion` runs with the outcome; through AsyncHTTPClient only
    /// when the lean client met a redirect. The deadline bounds the whole exchange. Returns the
    /// POST, or nil when the transport is closing (`completion` has run then) or when per-request
    /// credentials must be fetched first (the POST follows in a task; `completion` runs after it).
    @discardableResult
    func post(
        _ message: OutgoingMessage, exchange: RequestExchange?, ticket: SessionTicket, deadline: NIODeadline,
        on loop: any EventLoop, credentialHeaders: [(name: String, value: String)]? = nil, viaAsyncHTTPClient: Bool = false,
        completion: @escaping @Sendable (PostOutcome) -> Void
    ) -> (any PostInFlight)? {
        guard let link = state.withLockedValue({ $0.closing ? nil : $0.link }) else {
            completion(.failed("the transport is closing", status: nil))
            return nil
        }
        var ready: [(name: String, value: String)] = []
        if let source = configuration.credentials {
            guard let headers = credentialHeaders ?? source.readyHeaders() else {
                fetchCredentials(source) { result in
                    switch result {
                    case .success(let headers):
                        loop.execute {
                            self.post(message, exchange: exchange, ticket: ticket, deadline: deadline, on: loop,
                                      credentialHeaders: headers, viaAsyncHTTPClient: viaAsyncHTTPClient, completion: completion)
                        }
                    case .failure(let error):
                        completion(Self.credentialFailure(error))
                    }
                }
                return nil
            }
            ready = headers
        }
        let credentials = ready
        let reader = PostResponseReader(transport: self, label: message.label, exchange: exchange, ticket: ticket, on: loop)
        if let pool = link.lean, !viaAsyncHTTPClient {
            var headers = link.leanHeaders
            Self.apply(message, ticket: ticket, credentials: credentials, to: &headers)
            headers.add(name: "Content-Length", value: String(message.bytes.readableBytes))
            let post = LeanPost(head: HTTPRequestHead(version: .http1_1, method: .POST, uri: link.leanPath, headers: headers),
                                body: message.bytes, reader: reader, deadline: deadline, on: loop)
            let finish = track(post, exchange: exchange, completion: completion)
            post.result.whenComplete { result in
                switch result {
                case .success(.outcome(let outcome)):
                    finish(outcome)
                case .success(.redirected):
                    // The lean client follows no redirect; AsyncHTTPClient does (up to 5).
                    self.post(message, exchange: exchange, ticket: ticket, deadline: deadline, on: loop,
                              credentialHeaders: credentials, viaAsyncHTTPClient: true, completion: finish)
                case .failure(let error):
                    finish(reader.outcome(after: error))
                }
            }
            pool.send(post)
            return post
        }
        var request = link.postTemplate
        Self.apply(message, ticket: ticket, credentials: credentials, to: &request.headers)
        request.body = .byteBuffer(message.bytes)
        let delegate = StreamablePostDelegate(reader: reader)
        let task = link.client.execute(request: request, delegate: delegate, eventLoop: .delegate(on: loop), deadline: deadline)
        let finish = track(task, exchange: exchange, completion: completion)
        task.futureResult.whenComplete { result in
            switch result {
            case .success(let outcome): finish(outcome)
            case .failure(let error): finish(delegate.outcome(after: error))
            }
        }
        return task
    }

    /// Keeps a POST where `close` (and the cancellation of a 2026-07-28 request) finds it, until
    /// it ends; returns what to call with its outcome. A POST that starts while the transport
    /// closes is cancelled at once.
    private func track(_ post: any PostInFlight, exchange: RequestExchange?, completion: @escaping @Sendable (PostOutcome) -> Void) -> @Sendable (PostOutcome) -> Void {
        let postID = state.withLockedValue { state -> Int? in
            guard !state.closing else { return nil }
            let id = state.nextPostID
            state.nextPostID += 1
            state.posts[id] = post
            if let exchange, exchange.isModern { state.modernPosts[exchange.id] = id }
            return id
        }
        guard let postID else {
            post.cancel()
            return completion
        }
        return { outcome in
            self.state.withLockedValue { state in
                state.posts.removeValue(forKey: postID)
                if let exchange, exchange.isModern, state.modernPosts[exchange.id] == postID {
                    state.modernPosts.removeValue(forKey: exchange.id)
                }
            }
            completion(outcome)
        }
    }

    /// The headers of one message's POST: credentials, the session, trace context and the
    /// 2026-07-28 `Mcp-*` headers, over the configured ones.
    private static func apply(_ message: OutgoingMessage, ticket: SessionTicket, credentials: [(name: String, value: String)], to headers: inout HTTPHeaders) {
        if !credentials.isEmpty { headers.apply(credentials) }
        ticket.apply(to: &headers)
        for header in message.traceHeaders { headers.replaceOrAdd(name: header.name, value: header.value) }
        for header in message.modernHeaders { headers.replaceOrAdd(name: header.name, value: header.value) }
    }

    /// The event-loop POST for the rare paths that run as tasks; cancelling the task cancels it.
    /// A broken event stream is resumed here.
    func post(_ message: OutgoingMessage, exchange: RequestExchange?, ticket: SessionTicket, deadline: NIODeadline) async -> PostOutcome {
        /// The HTTP task, once started, or that the caller was cancelled before it started.
        enum Handle {
            case none
            case running(any PostInFlight)
            case cancelled
        }
        let handle = NIOLockedValueBox(Handle.none)
        guard let loop = state.withLockedValue({ $0.closing ? nil : $0.link?.loops.preferred() }) else {
            return .failed("the transport is closing", status: nil)
        }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<PostOutcome, Never>) in
                let task = post(message, exchange: exchange, ticket: ticket, deadline: deadline, on: loop) { outcome in
                    continuation.resume(returning: outcome)
                }
                guard let task else { return }
                let cancelled = handle.withLockedValue { handle -> Bool in
                    if case .cancelled = handle { return true }
                    handle = .running(task)
                    return false
                }
                if cancelled { task.cancel() }
            }
        } onCancel: {
            let running = handle.withLockedValue { handle -> (any PostInFlight)? in
                defer { handle = .cancelled }
                if case .running(let task) = handle { return task }
                return nil
            }
            running?.cancel()
        }
        guard case .broken(let streamBreak) = outcome, let exchange else { return outcome }
        return await resume(exchange, from: streamBreak)
    }

    /// After a 404 to `message` sent with the session `expired`: re-initializes and POSTs it again,
    /// renewing once more if that meets 404 too.
    func retryAfterRenewal(_ message: OutgoingMessage, exchange: RequestExchange?, expired: SessionTicket, deadline: NIODeadline) async -> PostOutcome {
        var expired = expired
        var renewals = 0
        while true {
            renewals += 1
            logger.notice("the server no longer knows the session (HTTP 404); re-initializing", metadata: ["while": "\(message.label)"])
            await renewSession(after: expired)
            guard let ticket = await currentTicket() else {
                return .failed("the transport is closing", status: nil)
            }
            let outcome = await post(message, exchange: exchange, ticket: ticket, deadline: deadline)
            guard case .sessionExpired = outcome, renewals < 2, !Task.isCancelled else { return outcome }
            expired = ticket
        }
    }

    /// The client and request factory, unless closing.
    func connection() -> (HTTPClient, UpstreamHTTPRequests)? {
        state.withLockedValue { state in
            guard !state.closing, let link = state.link else { return nil }
            return (link.client, link.requests)
        }
    }

    /// A JSON body: one message, or an array whose elements are routed one by one.
    func receiveJSONBody(_ buffer: ByteBuffer) {
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

    /// Resumes a broken response stream with GET and `Last-Event-ID` until the response arrives.
    func resume(_ exchange: RequestExchange, from streamBreak: StreamBreak) async -> PostOutcome {
        logger.info("event stream broke before the response; resuming", metadata: ["request": "\(exchange.label)", "lastEventID": "\(streamBreak.lastEventID)"])
        var lastID = streamBreak.lastEventID
        var delay = min(streamBreak.retryMilliseconds ?? 1000, 30_000)
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
            switch await credentialHeaders() {
            case .success(let headers): request.headers.apply(headers)
            case .failure(let error): return Self.credentialFailure(error)
            }
            ticket.apply(to: &request.headers)
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
