import AsyncHTTPClient
import JSONRPC
import NIOCore
import NIOHTTP1

/// The session facts a request is sent with.
struct SessionTicket: Sendable {
    /// `Mcp-Session-Id`, once the server assigned one.
    var sessionID: String?
    /// `MCP-Protocol-Version`, once an initialize result was seen.
    var protocolVersion: String?
    /// Which session this is; bumped each time a session is (re)established.
    var generation: Int

    /// Sets `Mcp-Session-Id` and `MCP-Protocol-Version` when known.
    func apply(to headers: inout HTTPHeaders) {
        if let sessionID {
            headers.replaceOrAdd(name: "Mcp-Session-Id", value: sessionID)
        }
        if let protocolVersion {
            headers.replaceOrAdd(name: "MCP-Protocol-Version", value: protocolVersion)
        }
    }
}

/// What a started transport sends with: the clients, how its requests are built, and its loops.
struct HTTPUpstreamLink: Sendable {
    /// AsyncHTTPClient: the GET stream, resumptions, DELETE, and POSTs that met a redirect.
    let client: HTTPClient
    let requests: UpstreamHTTPRequests
    /// A POST for AsyncHTTPClient, parsed once at `start`.
    let postTemplate: HTTPClient.Request
    let loops: ClientEventLoops
    /// The lean client that carries every message's POST.
    let lean: LeanHTTPPool?
    /// The lean POSTs' headers before the per-message ones: `Host`, the configured headers,
    /// `Accept` and `Content-Type`.
    let leanHeaders: HTTPHeaders
    /// The lean POSTs' request target (path and query).
    let leanPath: String
}

/// Mutable state of a `StreamableHTTPClientTransport`, guarded by one lock.
struct StreamableHTTPState {
    var started = false
    var closing = false
    var link: HTTPUpstreamLink?
    var ownsClient = false
    /// The lean pool is the transport's own (no shared client), closed with it.
    var ownsLean = false

    // The session.
    var sessionID: String?
    var protocolVersion: String?
    var generation = 0
    var renewing = false
    var renewal: Task<Void, Never>?
    var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    var lastRenewalFailure: String?
    var nextWaiterID = 0

    // What a renewal replays.
    var initializeRequest: ByteBuffer?
    var logLevelRequest: ByteBuffer?
    var subscriptions: [(uri: String, bytes: ByteBuffer)] = []
    /// The proxy sent `notifications/initialized`: the server may now push on a GET stream.
    var serverStreamWanted = false
    var serverStream: Task<Void, Never>?

    // Work in flight.
    /// The proxy's messages not yet dispatched, in order.
    var outbox = MessageOutbox()
    /// The dispatcher stopped for a session renewal; the renewal's end restarts it.
    var dispatchAwaitsRenewal = false
    var exchanges: [JSONRPCID: RequestExchange] = [:]
    /// POSTs on their way, so that `close` can cancel them.
    var posts: [Int: any PostInFlight] = [:]
    var nextPostID = 0
    /// The rare paths (renewal, resumption) that run as tasks.
    var tasks: [Int: Task<Void, Never>] = [:]
    var nextTaskID = 0
    var nextInternalID = 0

    /// The POST (a key of `posts`) of each 2026-07-28 request on its way, by request id: over
    /// HTTP, closing it is how such a request is cancelled.
    var modernPosts: [JSONRPCID: Int] = [:]

    /// The legacy fallback may still be taken (automatic mode, before a first successful initialize).
    var fallbackArmed = false

    var ticket: SessionTicket {
        SessionTicket(sessionID: sessionID, protocolVersion: protocolVersion, generation: generation)
    }

    /// Remembers what a renewal must replay, from a message the proxy sent.
    mutating func remember(_ message: OutgoingMessage) {
        guard message.kind == .request else { return }
        switch message.method {
        case .loggingSetLevel?:
            logLevelRequest = message.bytes
        case .resourcesSubscribe?:
            guard let uri = message.uri else { return }
            subscriptions.removeAll { $0.uri == uri }
            subscriptions.append((uri, message.bytes))
        case .resourcesUnsubscribe?:
            guard let uri = message.uri else { return }
            subscriptions.removeAll { $0.uri == uri }
        default:
            break
        }
    }

    /// The proxy starts a (new) session with `initialize`: forget the old one and remember this
    /// `initialize` for renewals. Returns the GET stream to cancel.
    mutating func beginSession(with initialize: ByteBuffer) -> Task<Void, Never>? {
        sessionID = nil
        protocolVersion = nil
        generation += 1
        initializeRequest = initialize
        logLevelRequest = nil
        subscriptions.removeAll()
        serverStreamWanted = false
        defer { serverStream = nil }
        return serverStream
    }
}
