import JSONRPC
import NIOCore

/// One unit a transport read from its peer.
public enum InboundFrame: Sendable {
    /// One complete message's bytes, without framing (no newline). Not yet validated as JSON.
    case message(ByteBuffer)
    /// A frame longer than the configured limit; its bytes were discarded, the stream goes on.
    /// Transports that keep the frame's first and last bytes report them to sinks that implement
    /// ``MessageSink/transportReceivedOversized(_:)``; other sinks get this case.
    case oversized(byteCount: Int, limit: Int)
}

/// A frame longer than the limit that was discarded, with excerpts of its bytes: enough to find
/// the JSON-RPC `id` of a response that cannot be delivered (usually near the start, sometimes
/// at the end) and answer the request it belongs to at once instead of letting it time out.
public struct OversizedFrame: Sendable {
    /// Bytes the frame had (without framing).
    public var byteCount: Int
    /// The limit it exceeded.
    public var limit: Int
    /// The frame's first bytes (up to 512), when the transport kept them.
    public var prefix: ByteBuffer?
    /// The frame's last bytes (up to 512), when the transport kept them.
    public var suffix: ByteBuffer?

    public init(byteCount: Int, limit: Int, prefix: ByteBuffer? = nil, suffix: ByteBuffer? = nil) {
        self.byteCount = byteCount
        self.limit = limit
        self.prefix = prefix
        self.suffix = suffix
    }
}

/// Why a transport stopped delivering frames.
public enum TransportCloseReason: Sendable, Equatable, CustomStringConvertible {
    /// The peer closed its side of the stream (EOF).
    case endOfStream
    /// The child process exited; `status` is the exit code, or the negated signal number if it was killed.
    case processExited(status: Int32)
    /// This side called `close()`.
    case closedLocally
    /// An I/O error ended the stream.
    case failed(String)

    public var description: String {
        switch self {
        case .endOfStream: return "the peer closed the stream"
        case .processExited(let status) where status < 0: return "the process was killed by signal \(-status)"
        case .processExited(let status): return "the process exited with status \(status)"
        case .closedLocally: return "the transport was closed by the proxy"
        case .failed(let reason): return "I/O error: \(reason)"
        }
    }
}

/// Receives what a transport reads, in order, on the transport's own event-loop thread.
///
/// Implementations must not block: they hand work off or do a small synchronous step.
/// `transportClosed` is called exactly once, after the last frame.
public protocol MessageSink: Sendable {
    /// A frame arrived.
    func transportReceived(_ frame: InboundFrame)
    /// A frame over the limit was discarded and the transport kept excerpts of it (a stdio
    /// transport keeps the line's first and last 512 bytes). The default passes
    /// `.oversized(byteCount:limit:)` to ``transportReceived(_:)``; implement it to see the excerpts.
    func transportReceivedOversized(_ frame: OversizedFrame)
    /// The transport stopped; no frame follows.
    func transportClosed(_ reason: TransportCloseReason)
}

extension MessageSink {
    /// Sinks that do not look at the excerpts get the plain `.oversized` frame.
    public func transportReceivedOversized(_ frame: OversizedFrame) {
        transportReceived(.oversized(byteCount: frame.byteCount, limit: frame.limit))
    }
}

/// Moves JSON-RPC messages between the proxy and one peer.
///
/// The stdio transports of this module, and the network transports that join them, conform.
/// A transport frames and unframes bytes; it never interprets them.
public protocol MessageTransport: AnyObject, Sendable {
    /// A short name for logs and errors (an upstream's configured name, or "stdio").
    var name: String { get }
    /// Connects or spawns, then delivers every inbound frame to `sink` until the transport closes.
    func start(sink: any MessageSink) async throws(TransportError)
    /// Queues one message for the peer. The transport adds its own framing.
    /// Returns false when the transport is closed and the message was not queued.
    @discardableResult
    func send(_ message: ByteBuffer) -> Bool
    /// Queues one message that belongs to the client request `request` (a server-to-client
    /// request or a notification issued while that request is handled). Transports with several
    /// streams (Streamable HTTP) put it on that request's stream; others ignore the hint.
    @discardableResult
    func send(_ message: ByteBuffer, relatedTo request: JSONRPCID?) -> Bool
    /// Queues an error response that a stage refused a request with. An HTTP transport answers
    /// the exchange that carried the request with `hint`'s status and headers when this error is
    /// its only answer and nothing was streamed yet (403 with a `WWW-Authenticate` challenge for
    /// a missing scope); otherwise, and on other transports, it is sent like any response.
    @discardableResult
    func sendRefusal(_ message: ByteBuffer, hint: MCPRefusal.HTTPHint) -> Bool
    /// Closes gracefully and waits until the peer is gone.
    func close() async
    /// Who is on the other side: the principal the front authenticated for this session (it may
    /// be refreshed by later requests of the same identity), or ``Principal/anonymous``.
    var principal: Principal { get }
}

extension MessageTransport {
    /// Transports without authentication serve an anonymous principal.
    public var principal: Principal { .anonymous }

    /// Single-stream transports ignore the relation.
    @discardableResult
    public func send(_ message: ByteBuffer, relatedTo request: JSONRPCID?) -> Bool {
        send(message)
    }

    /// Transports without HTTP statuses send the error response as it is.
    @discardableResult
    public func sendRefusal(_ message: ByteBuffer, hint: MCPRefusal.HTTPHint) -> Bool {
        send(message)
    }
}

/// Why a transport could not start or failed.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, and what to check.
    public var message: String
    /// Creates an error with a message that tells the user what to check.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
