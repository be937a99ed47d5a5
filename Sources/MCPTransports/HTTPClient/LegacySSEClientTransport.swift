import AsyncHTTPClient
import JSONRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An upstream MCP server reached over the legacy HTTP+SSE transport (protocol 2024-11-05).
///
/// `start` opens the event stream with GET and waits for the `endpoint` event, whose URL (resolved
/// against the stream's URL, and required to be on the same origin so configured headers never go
/// elsewhere) receives every message as a POST, one at a time and in order. Every `message` event
/// goes to the sink. The POSTs run on AsyncHTTPClient's event loops (the caller's, when it is one
/// of the client's), with the request timeout as their deadline; no task sits between `send` and
/// the network. When the event stream ends, the sink hears `.endOfStream`. A request whose
/// POST fails is answered with a JSON-RPC error (-32000) naming the URL and the cause.
public final class LegacySSEClientTransport: MessageTransport {
    /// The upstream's configured name, for logs and errors.
    public let name: String
    /// Where and how the server is reached.
    public let configuration: RemoteUpstreamConfiguration

    private let logger: Logger
    private let gate = SinkGate()
    private let scanner = JSONRPCScanner(limits: ScanLimits(maxMessageBytes: .max, maxDepth: 512))
    private let injectedClient: HTTPClient?
    private let state = NIOLockedValueBox(State())

    private struct State {
        var started = false
        var closing = false
        var ended = false
        /// `start` succeeded: from now on the end of the event stream is reported to the sink.
        var connected = false
        var client: HTTPClient?
        var ownsClient = false
        var endpoint: String?
        /// The POST to the endpoint, once `start` succeeded.
        var postTemplate: HTTPClient.Request?
        var loops: ClientEventLoops?
        var reader: Task<Void, Never>?
        /// The proxy's messages not yet POSTed, in order.
        var outbox = MessageOutbox()
        /// The one POST in flight.
        var post: HTTPClient.Task<StatusExcerptDelegate.Answer>?
    }

    /// Creates a transport; nothing happens until `start`.
    ///
    /// - Parameter httpClient: a client to share between upstreams; by default the transport
    ///   creates its own at `start` and shuts it down in `close`.
    public init(name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, httpClient: HTTPClient? = nil) {
        self.name = name
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "upstream"] = "\(name)"
        self.logger = logger
        self.injectedClient = httpClient
    }

    deinit {
        let leftover = state.withLockedValue { state -> HTTPClient? in
            defer { state.client = nil }
            return state.ownsClient ? state.client : nil
        }
        leftover?.shutdown().whenComplete { _ in }
    }

    /// The URL messages are POSTed to, once the server named it.
    public var messageEndpoint: String? {
        state.withLockedValue { $0.endpoint }
    }

    /// Opens the event stream and returns once the server named its message endpoint.
    public func start(sink: any MessageSink) async throws(TransportError) {
        let url = try RemoteURL(parsing: configuration.url)
        guard url.scheme == "http" || url.scheme == "https" else {
            throw TransportError("upstream '\(name)': '\(configuration.url)' is not an http(s) URL; the legacy SSE transport needs http:// or https://")
        }
        var tls: TLSConfiguration?
        if let settings = configuration.tls {
            tls = try settings.makeTLSConfiguration()
        }
        let requests = UpstreamHTTPRequests(url: configuration.url, headers: configuration.headers, tls: tls)
        let injectedClient = self.injectedClient
        let connectTimeout = configuration.connectTimeout
        let client = state.withLockedValue { state -> HTTPClient? in
            guard !state.started, !state.closing else { return nil }
            state.started = true
            let client = injectedClient ?? HTTPClient(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                configuration: UpstreamHTTPRequests.clientConfiguration(connectTimeout: connectTimeout))
            state.client = client
            state.ownsClient = injectedClient == nil
            return client
        }
        guard let client else {
            throw TransportError("upstream '\(name)': this transport was already started or closed; make a new one for each connection")
        }
        gate.attach(sink)
        do throws(TransportError) {
            let endpoint = try await openEventStream(client: client, requests: requests, base: url)
            let template: HTTPClient.Request
            do {
                template = try requests.postTemplate(url: endpoint.absoluteString)
            } catch {
                throw TransportError("upstream '\(name)': the message endpoint \(error.message)")
            }
            let endedAlready = state.withLockedValue { state -> Bool in
                state.connected = true
                state.postTemplate = template
                state.loops = ClientEventLoops(client.eventLoopGroup)
                return state.ended
            }
            if endedAlready {
                throw TransportError("upstream '\(name)': the event stream at \(configuration.url) ended right after naming the message endpoint")
            }
            logger.debug("legacy SSE upstream connected", metadata: ["endpoint": "\(endpoint.absoluteString)"])
        } catch {
            await abandonStart()
            throw error
        }
    }

    /// GETs the event stream and waits until it names the message endpoint.
    private func openEventStream(client: HTTPClient, requests: UpstreamHTTPRequests, base: RemoteURL) async throws(TransportError) -> RemoteURL {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(
                requests.make(.GET, accept: UpstreamHTTPRequests.eventStream),
                deadline: .now() + TimeAmount(configuration.requestTimeout))
        } catch {
            throw TransportError("upstream '\(name)': cannot open the event stream at \(configuration.url): \(describeHTTPError(error))")
        }
        guard (200..<300).contains(response.status.code), ResponseContent(response) == .eventStream else {
            let detail = await response.body.errorExcerpt()
            throw TransportError(
                "upstream '\(name)': \(configuration.url) answered HTTP \(response.status.code) without an event stream to the SSE GET\(detail.isEmpty ? "" : " (\(detail))"); check that the URL is the server's SSE endpoint (often /sse)")
        }
        let (endpoints, endpointInput) = AsyncStream.makeStream(of: Result<RemoteURL, TransportError>.self)
        let reader = Task { [self] in
            await self.read(response.body, base: base, endpoints: endpointInput)
        }
        state.withLockedValue { $0.reader = reader }
        let first = await withTimeLimit(configuration.requestTimeout) { () async -> Result<RemoteURL, TransportError>? in
            for await result in endpoints { return result }
            return nil
        }
        switch first {
        case .success(let endpoint)??:
            return endpoint
        case .failure(let error)??:
            throw error
        case nil, .some(nil):
            throw TransportError("upstream '\(name)': the event stream at \(configuration.url) sent no 'endpoint' event within \(configuration.requestTimeout); is this a legacy (2024-11-05) SSE endpoint?")
        }
    }

    /// Reads the event stream to its end: the endpoint, then the server's messages.
    private func read(_ body: HTTPClientResponse.Body, base: RemoteURL, endpoints: AsyncStream<Result<RemoteURL, TransportError>>.Continuation) async {
        var parser = ServerSentEventParser(maxEventBytes: configuration.maxMessageBytes)
        let limit = configuration.maxMessageBytes
        let error = await body.consumeEvents(with: &parser) { output in
            switch output {
            case .event(let event) where event.type == "endpoint":
                endpoints.yield(adoptEndpoint(String(buffer: event.data), base: base))
            case .event(let event) where event.isMessage && event.data.readableBytes > 0:
                gate.deliver(.message(event.data))
            case .oversized(let type, let byteCount, _) where type == "message":
                gate.deliver(.oversized(byteCount: byteCount, limit: limit))
            default:
                break
            }
            return true
        }
        endpoints.yield(.failure(TransportError(
            "upstream '\(name)': the event stream at \(configuration.url) ended before naming the message endpoint; is this a legacy (2024-11-05) SSE endpoint?")))
        endpoints.finish()
        let report = state.withLockedValue { state -> Bool in
            state.ended = true
            return state.connected && !state.closing
        }
        guard report else { return }
        if let error, !(error is CancellationError) {
            logger.error("the event stream broke: \(describeHTTPError(error))")
            gate.close(.failed("the event stream from \(configuration.url) broke: \(describeHTTPError(error))"))
        } else {
            logger.error("the server ended the event stream")
            gate.close(.endOfStream)
        }
    }

    /// Resolves and checks an `endpoint` event's URL.
    private func adoptEndpoint(_ text: String, base: RemoteURL) -> Result<RemoteURL, TransportError> {
        let reference = String(Substring(text).trimmingSpaces())
        do {
            let endpoint = try base.resolving(reference)
            guard endpoint.isSameOrigin(as: base) else {
                return .failure(TransportError(
                    "upstream '\(name)': the server named \(endpoint.origin) as its message endpoint, another origin than \(base.origin); refusing to send messages (and headers) there"))
            }
            state.withLockedValue { $0.endpoint = endpoint.absoluteString }
            return .success(endpoint)
        } catch {
            return .failure(TransportError("upstream '\(name)': the server's endpoint event '\(reference)' is not a usable URL: \(error.message)"))
        }
    }

    /// Queues one message for a POST to the endpoint. False before `start`, after `close` and after
    /// the event stream ended. Never calls the sink (the POST starts in a later turn of an event loop).
    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        let outgoing = OutgoingMessage(message, scanner: scanner)
        let dispatch = state.withLockedValue { state -> (accepted: Bool, loops: ClientEventLoops?) in
            guard state.started, !state.closing, !state.ended, state.postTemplate != nil, let loops = state.loops else {
                return (false, nil)
            }
            return (true, state.outbox.push(outgoing) ? loops : nil)
        }
        if let loops = dispatch.loops {
            let loop = loops.preferred()
            loop.execute { self.postNext(on: loop) }
        }
        return dispatch.accepted
    }

    /// POSTs the next queued message on `loop`; when it completed, the one after it follows.
    private func postNext(on loop: any EventLoop) {
        let next = state.withLockedValue { state -> (OutgoingMessage, HTTPClient, HTTPClient.Request, String)? in
            guard !state.closing, let client = state.client, let template = state.postTemplate, let endpoint = state.endpoint else {
                state.outbox.clear()
                return nil
            }
            guard let message = state.outbox.next() else { return nil }
            return (message, client, template, endpoint)
        }
        guard let (message, client, template, endpoint) = next else { return }
        var request = template
        request.body = .byteBuffer(message.bytes)
        let task = client.execute(
            request: request, delegate: StatusExcerptDelegate(on: loop), eventLoop: .delegate(on: loop),
            deadline: .now() + TimeAmount(configuration.requestTimeout))
        let closing = state.withLockedValue { state -> Bool in
            if !state.closing { state.post = task }
            return state.closing
        }
        if closing { task.cancel() }
        task.futureResult.whenComplete { result in
            self.state.withLockedValue { $0.post = nil }
            let failure: String?
            switch result {
            case .success(let answer) where (200..<300).contains(answer.status.code):
                failure = nil
            case .success(let answer):
                let detail = answer.excerpt
                failure = "\(endpoint) answered HTTP \(answer.status.code) \(answer.status.reasonPhrase) to \(message.label)\(detail.isEmpty ? "" : ": \(detail)")"
            case .failure(let error):
                failure = "cannot reach \(endpoint): \(describeHTTPError(error))"
            }
            if let failure { self.report(failure, for: message) }
            // A new turn of the loop, so that a burst of failures cannot nest without bound.
            loop.execute { self.postNext(on: loop) }
        }
    }

    /// A POST failed: a request gets an error response, anything else is only logged.
    private func report(_ failure: String, for message: OutgoingMessage) {
        guard !state.withLockedValue({ $0.closing }) else { return }
        logger.warning("\(message.label) failed: \(failure)")
        if message.isRequest, let idBytes = message.idBytes {
            gate.deliver(.message(UpstreamFailure.response(idBytes: idBytes, message: "upstream '\(name)': \(failure)")))
        }
    }

    /// Stops the event stream, shuts down an own HTTP client, then reports `.closedLocally`
    /// (unless the end of the stream was reported already).
    public func close() async {
        let inFlight = state.withLockedValue { state -> (Task<Void, Never>?, HTTPClient.Task<StatusExcerptDelegate.Answer>?)? in
            guard !state.closing else { return nil }
            state.closing = true
            state.outbox.clear()
            return (state.reader, state.post)
        }
        guard let (reader, post) = inFlight else { return }
        reader?.cancel()
        post?.cancel()
        await reader?.value
        _ = try? await post?.get()
        await releaseClient()
        gate.close(.closedLocally)
    }

    /// Undoes a failed `start`: stops the reader (which then reports nothing) and the client.
    private func abandonStart() async {
        let reader = state.withLockedValue { state -> Task<Void, Never>? in
            state.closing = true
            return state.reader
        }
        reader?.cancel()
        await reader?.value
        await releaseClient()
    }

    /// Shuts down the client if this transport created it.
    private func releaseClient() async {
        let client = state.withLockedValue { state -> HTTPClient? in
            defer { state.client = nil }
            return state.ownsClient ? state.client : nil
        }
        guard let client else { return }
        do {
            try await client.shutdown()
        } catch {
            logger.debug("HTTP client shutdown: \(error)")
        }
    }
}
