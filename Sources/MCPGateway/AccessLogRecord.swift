#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One access-log line before it is formatted: plain values captured when the request ended,
/// formatted later on the access log's own thread.
public struct AccessLogRecord: Sendable, Equatable {
    /// How the request ended.
    public enum Outcome: Sendable, Equatable {
        /// The upstream answered with a result.
        case ok
        /// Answered with a JSON-RPC error (by the upstream, or the proxy on its behalf).
        case error(code: Int)
        /// No answer before the deadline.
        case timeout
        /// The client cancelled it.
        case cancelled
        /// The upstream was unavailable or failed before answering.
        case unavailable
        /// A pipeline stage (authorization, policy, rate limit) or the front's authentication
        /// refused it; nothing went upstream.
        case refused(reason: String, code: Int?)
        /// The proxy answered it itself (`initialize`, `ping`, lists, `logging/setLevel`).
        case local

        /// The `outcome` field.
        public var label: String {
            switch self {
            case .ok: "ok"
            case .error: "error"
            case .timeout: "timeout"
            case .cancelled: "cancelled"
            case .unavailable: "unavailable"
            case .refused: "refused"
            case .local: "local"
            }
        }

        /// Whether `include: errors` logs it.
        public var isFailure: Bool {
            switch self {
            case .ok, .local: false
            default: true
            }
        }
    }

    /// When the request arrived, in nanoseconds since 1970 (UTC).
    public var time: Int64
    /// The principal's subject (`anonymous` when authentication is off); nil when unknown (a
    /// request the front refused before authenticating it).
    public var principal: String?
    /// The client session (its transport's name); nil when none exists yet.
    public var session: String?
    /// The JSON-RPC method; nil for a request refused before its body was read.
    public var method: String?
    /// The tool or prompt name, or the resource URI, as the client sent it.
    public var name: String?
    /// The upstream it was routed to.
    public var upstream: String?
    /// The client's request id exactly as sent (JSON text).
    public var id: String?
    /// How long it took, in nanoseconds; nil when the proxy answered it itself or refused it.
    public var latencyNanoseconds: UInt64?
    /// How it ended.
    public var outcome: Outcome
    /// Size of the client's request, in bytes.
    public var bytesIn: Int?
    /// Size of the answer from the upstream, in bytes.
    public var bytesOut: Int?
    /// For a request the HTTP front refused: its method and path (`POST /mcp`), the status, the
    /// remote address.
    public var http: String?
    /// See ``http``.
    public var status: Int?
    /// See ``http``.
    public var remote: String?
    /// What the external policy hook and the result guards decided, in order (`hook=allow`,
    /// `hook=deny: <reason>`, `redacted=jwt:1`, ...); nil when neither took part.
    public var policy: String?

    /// Creates a record; every field but the time and the outcome is optional.
    public init(
        time: Int64, principal: String? = nil, session: String? = nil, method: String? = nil, name: String? = nil,
        upstream: String? = nil, id: String? = nil, latencyNanoseconds: UInt64? = nil, outcome: Outcome,
        bytesIn: Int? = nil, bytesOut: Int? = nil, http: String? = nil, status: Int? = nil, remote: String? = nil,
        policy: String? = nil
    ) {
        self.time = time
        self.principal = principal
        self.session = session
        self.method = method
        self.name = name
        self.upstream = upstream
        self.id = id
        self.latencyNanoseconds = latencyNanoseconds
        self.outcome = outcome
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.http = http
        self.status = status
        self.remote = remote
        self.policy = policy
    }

    /// The wall clock now, in nanoseconds since 1970 (one vDSO call, no allocation).
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec)
    }
}
