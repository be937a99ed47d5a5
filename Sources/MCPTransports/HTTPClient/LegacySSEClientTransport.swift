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
/// goes to the sink. When the event stream ends, the sink hears `.endOfStream`. A request whose
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
    private let outbox: AsyncStream<OutgoingMessage>
    private let outboxInput: AsyncStream<OutgoingMessage>.Continuation

    private struct State {
        var started = false
        var closing = false
        var ended = false
        /// `start` succeeded: from now on the end of the event stream is reported to the sink.
        var connected = false
        var client: HTTPClient?
        var ownsClient = false
        var requests: UpstreamHTTPRequests?
        var endpoint: String?
        var reader: Task<Void, Never>?
        var dispatcher: Task<Void, Never>?
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
        (outbox, outboxInput) = AsyncStream.makeStream(of: OutgoingMessage.self)
    }

    deinit {
        outboxInput.finish()
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
            state.requests = requests
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
            let endedAlready = state.withLockedValue { state -> Bool in
                state.connected = true
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
        let outbox = self.outbox
        let dispatcher = Task { [weak self] in
            for await message in outbox {
                guard let self else { return }
                await self.post(message)
            }
        }
        state.withLockedValue { $0.dispatcher = dispatcher }
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
    /// the event stream ended.
    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        guard state.withLockedValue({ $0.started && !$0.closing && !$0.ended && $0.endpoint != nil }) else { return false }
        if case .terminated = outboxInput.yield(OutgoingMessage(message, scanner: scanner)) { return false }
        return true
    }

    /// POSTs one message to the endpoint; a failed request gets an error response.
    private func post(_ message: OutgoingMessage) async {
        let context = state.withLockedValue { state -> (HTTPClient, UpstreamHTTPRequests, String)? in
            guard !state.closing, let client = state.client, let requests = state.requests, let endpoint = state.endpoint else { return nil }
            return (client, requests, endpoint)
        }
        guard let (client, requests, endpoint) = context else { return }
        let request = requests.make(.POST, url: endpoint, accept: UpstreamHTTPRequests.jsonOrEventStream, body: message.bytes)
        let failure: String?
        do {
            let response = try await client.execute(request, deadline: .now() + TimeAmount(configuration.requestTimeout))
            let detail = await response.body.errorExcerpt()
            if (200..<300).contains(response.status.code) {
                failure = nil
            } else {
                failure = "\(endpoint) answered HTTP \(response.status.code) \(response.status.reasonPhrase) to \(message.label)\(detail.isEmpty ? "" : ": \(detail)")"
            }
        } catch {
            failure = "cannot reach \(endpoint): \(describeHTTPError(error))"
        }
        guard let failure, !state.withLockedValue({ $0.closing }) else { return }
        logger.warning("\(message.label) failed: \(failure)")
        if message.isRequest, let idBytes = message.idBytes {
            gate.deliver(.message(UpstreamFailure.response(idBytes: idBytes, message: "upstream '\(name)': \(failure)")))
        }
    }

    /// Stops the event stream, shuts down an own HTTP client, then reports `.closedLocally`
    /// (unless the end of the stream was reported already).
    public func close() async {
        let tasks = state.withLockedValue { state -> [Task<Void, Never>]? in
            guard !state.closing else { return nil }
            state.closing = true
            return [state.reader, state.dispatcher].compactMap { $0 }
        }
        guard let tasks else { return }
        outboxInput.finish()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
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
