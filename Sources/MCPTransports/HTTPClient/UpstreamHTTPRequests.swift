import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the HTTP requests of one upstream: its URL, its configured headers and its TLS settings.
struct UpstreamHTTPRequests: Sendable {
    /// The configured endpoint.
    let url: String
    /// Headers on every request; protocol headers set later replace them.
    let headers: [String: String]
    /// Per-request TLS (a custom CA or a client certificate), so a shared client can serve many upstreams.
    let tls: TLSConfiguration?

    static let eventStream = "text/event-stream"
    static let jsonOrEventStream = "application/json, text/event-stream"

    /// A request without a body (the GET streams, DELETE) for the async API, with the configured
    /// headers and `Accept`.
    func make(_ method: HTTPMethod, url: String? = nil, accept: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url ?? self.url)
        request.method = method
        for (name, value) in headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.headers.replaceOrAdd(name: "Accept", value: accept)
        request.tlsConfiguration = tls
        return request
    }

    /// A POST of JSON bodies for AsyncHTTPClient's event-loop API, with the configured headers and
    /// `Accept`; its URL is parsed here, once, so that each message only copies it and adds a body.
    func postTemplate(url: String? = nil) throws(TransportError) -> HTTPClient.Request {
        let target = url ?? self.url
        var headers = HTTPHeaders()
        for (name, value) in self.headers {
            headers.replaceOrAdd(name: name, value: value)
        }
        headers.replaceOrAdd(name: "Accept", value: Self.jsonOrEventStream)
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        do {
            return try HTTPClient.Request(url: target, method: .POST, headers: headers, body: nil, tlsConfiguration: tls)
        } catch {
            throw TransportError("'\(target)' is not a URL that the HTTP client accepts (\(error)); check the url setting")
        }
    }

    /// Connections kept alive per host: each request with an event-stream answer, and the GET
    /// stream, hold one while they last; beyond AsyncHTTPClient's default of 8, extra connections
    /// would be opened and closed for every request.
    static let connectionsPerHost = 64

    /// Configuration for an HTTP client that a transport creates for itself: no read timeout
    /// (event streams may idle), no decompression, a bounded connect time, no silent retrying of a
    /// refused connection (the request fails at once and the proxy hears why), many pooled
    /// connections for concurrent streams, and no tracing spans.
    static func clientConfiguration(connectTimeout: Duration, connectionsPerHost: Int = connectionsPerHost) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: TimeAmount(connectTimeout), read: nil)
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        configuration.connectionPool.retryConnectionEstablishment = false
        // No spans: the proxy bootstraps no tracer, and a no-op span still costs per request.
        configuration.tracing.tracer = nil
        return configuration
    }
}

/// What an HTTP response body holds, from its `Content-Type`.
enum ResponseContent: Equatable {
    case json
    case eventStream
    case none
    case other(String)

    init(_ response: HTTPClientResponse) {
        self.init(response.headers)
    }

    init(_ headers: HTTPHeaders) {
        guard let value = headers.first(name: "content-type") else {
            self = .none
            return
        }
        switch value {  // the common cases, without splitting (this runs for every answer)
        case "application/json":
            self = .json
            return
        case "text/event-stream":
            self = .eventStream
            return
        default:
            break
        }
        let mediaType = value.split(separator: ";", maxSplits: 1)[0].trimmingSpaces().lowercased()
        switch mediaType {
        case "application/json": self = .json
        case "text/event-stream": self = .eventStream
        default: self = .other(mediaType)
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}

extension HTTPClientResponse.Body {
    /// Up to 300 bytes of the body as text, for error messages (never throws).
    func errorExcerpt() async -> String {
        var excerpt = BodyExcerpt()
        do {
            for try await chunk in self where !excerpt.isFull {
                excerpt.append(chunk)
            }
        } catch {
            return excerpt.rawText
        }
        return excerpt.text
    }

    /// Feeds the body to `parser` and hands each output to `handle`, until the body ends, an error
    /// ends it, or `handle` returns false. Returns the error that ended it, if any.
    func consumeEvents(
        with parser: inout ServerSentEventParser, _ handle: (ServerSentEventOutput) -> Bool
    ) async -> (any Error)? {
        do {
            for try await chunk in self {
                var keepGoing = true
                parser.feed(chunk) { output in
                    if !handle(output) { keepGoing = false }
                }
                if !keepGoing { return nil }
            }
            parser.finish()
            return nil
        } catch {
            parser.finish()
            return error
        }
    }
}

/// A short description of an HTTP client error for messages.
func describeHTTPError(_ error: any Error) -> String {
    if let error = error as? HTTPClientError {
        switch error {
        case .deadlineExceeded, .readTimeout: return "it did not answer in time"
        case .connectTimeout: return "the connection timed out"
        case .remoteConnectionClosed: return "the server closed the connection"
        case .cancelled: return "the request was cancelled"
        default: return "\(error)"
        }
    }
    if error is CancellationError { return "the request was cancelled" }
    // The lean client's connection errors (LeanHTTPPool).
    if let error = error as? ChannelError, case .connectTimeout = error { return "the connection timed out" }
    if let error = error as? NIOConnectionError, let last = error.connectionErrors.last?.error { return describeHTTPError(last) }
    if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
    return "\(error)"
}
