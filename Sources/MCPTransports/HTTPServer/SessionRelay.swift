import JSONRPC
import NIOCore

/// Carries a Streamable HTTP session's server-to-client traffic between the replicas of a
/// gateway, so that whichever replica a message arises on, it reaches the client:
///
/// - messages for the session's GET stream are published to a shared, ordered and resumable
///   log; the replica that holds the client's GET stream reads them from it, and a client whose
///   replica died resumes with `Last-Event-ID` on another one;
/// - the client's answer to a request another replica sent is forwarded to that replica.
///
/// Set on ``HTTPFrontConfiguration/sessionRelay`` (with ``HTTPFrontConfiguration/sessionContinuity``);
/// without it everything stays in this process, as before. Called on the front's event loops
/// and under session locks: implementations must not block and must not call back synchronously.
public protocol SessionRelay: Sendable {
    /// This replica's tag: the high bits of the request ids its proxy sends clients
    /// (``ReplicaTag/requestIDBase``) and of its POST streams' numbers.
    var tag: ReplicaTag { get }

    /// Starts listening for answers other replicas forward to this one; `deliver` gets the
    /// session id and the client's message, as if the client had POSTed it here.
    func start(deliver: @escaping @Sendable (_ session: String, _ message: ByteBuffer) -> Void) async

    /// Appends `message` to the GET-stream log of `session`; false when the shared log cannot be
    /// reached now (the front then keeps the message in its own replay buffer).
    func publish(_ message: ByteBuffer, session: String) -> Bool

    /// Feeds the GET stream `stream` of `session` from the shared log: the events after
    /// `lastEventID` (one this relay issued), or when nil the events no stream has delivered yet,
    /// then every new one, until cancelled or until another GET stream of the session opens
    /// anywhere. Nil when the shared log cannot be reached now.
    func attach(session: String, lastEventID: String?, to stream: RelayedStream) -> (any SessionRelayAttachment)?

    /// Whether `lastEventID` is one this relay issued (a GET stream event of the shared log).
    func issued(eventID: String) -> Bool

    /// Forwards the client's `response` to the replica `owner` that sent the request it answers.
    /// Returns false when the message could not be handed on (the front answers 503, so the
    /// client may retry).
    func forward(_ response: ByteBuffer, session: String, to owner: ReplicaTag) async -> Bool

    /// The session ended (DELETE or expiry): its shared log may go.
    func ended(session: String)
}

/// Where a relay writes a GET stream's events.
public struct RelayedStream: Sendable {
    /// Writes one event with its id; false when the connection is gone or cut off for reading
    /// too slowly (the relay then stops).
    public var write: @Sendable (_ eventID: String, _ message: ByteBuffer) -> Bool
    /// Ends the stream (the client reconnects, with `Last-Event-ID`, to whichever replica).
    public var end: @Sendable () -> Void

    /// Creates a stream over two closures.
    public init(write: @escaping @Sendable (String, ByteBuffer) -> Bool, end: @escaping @Sendable () -> Void) {
        self.write = write
        self.end = end
    }
}

/// A GET stream fed by a ``SessionRelay``.
public protocol SessionRelayAttachment: Sendable {
    /// Stops feeding the stream (it is not ended: the caller owns it).
    func cancel()
}

/// A replica's tag: a random nonzero 30-bit number picked when the process starts. Request ids
/// the proxy sends to clients start at ``requestIDBase``, so the replica that a client's answer
/// belongs to can be read from the answer's id (and ids of two replicas never collide within a
/// session): at most 2^52, so still exact in a JavaScript number.
public struct ReplicaTag: Sendable, Hashable, CustomStringConvertible {
    /// The tag.
    public let value: UInt32

    /// How many low bits of a request id count requests within one session copy.
    static let requestBits: Int64 = 22
    /// How many low bits of a POST stream's number count streams within one session copy.
    static let streamBits = 20

    /// A tag; nil unless `value` is in `1..<2^30`.
    public init?(_ value: UInt32) {
        guard value > 0, value < 1 << 30 else { return nil }
        self.value = value
    }

    /// A random tag.
    public static func random() -> ReplicaTag {
        ReplicaTag(unchecked: UInt32.random(in: 1..<(1 << 30)))
    }

    private init(unchecked value: UInt32) {
        self.value = value
    }

    /// The first request id a session copy on this replica uses, minus one.
    public var requestIDBase: Int64 { Int64(value) << Self.requestBits }

    /// The replica that sent the request with this (proxy-assigned) id; nil for ids below 2^22,
    /// which a proxy without a relay assigns.
    public static func owner(ofRequestID id: JSONRPCID) -> ReplicaTag? {
        guard case .number(let number) = id, number >= 1 << requestBits, number < 1 << 52 else { return nil }
        return ReplicaTag(UInt32(truncatingIfNeeded: number >> requestBits))
    }

    /// The first POST stream number of a session copy on this replica, minus one.
    var streamBase: Int { Int(value) << Self.streamBits }

    /// Whether POST stream `number` was opened by this replica.
    func owns(stream number: Int) -> Bool {
        number >> Self.streamBits == Int(value)
    }

    /// The tag as decimal text.
    public var description: String { "\(value)" }
}
