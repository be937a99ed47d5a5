import AsyncHTTPClient
import JSONRPC
import NIOCore

/// The session facts a request is sent with.
struct SessionTicket: Sendable {
    /// `Mcp-Session-Id`, once the server assigned one.
    var sessionID: String?
    /// `MCP-Protocol-Version`, once an initialize result was seen.
    var protocolVersion: String?
    /// Which session this is; bumped each time a session is (re)established.
    var generation: Int
}

/// Mutable state of a `StreamableHTTPClientTransport`, guarded by one lock.
struct StreamableHTTPState {
    var started = false
    var closing = false
    var client: HTTPClient?
    var ownsClient = false
    var requests: UpstreamHTTPRequests?

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
    var exchanges: [JSONRPCID: RequestExchange] = [:]
    var tasks: [Int: Task<Void, Never>] = [:]
    var nextTaskID = 0
    var dispatcher: Task<Void, Never>?
    var nextInternalID = 0

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
}
