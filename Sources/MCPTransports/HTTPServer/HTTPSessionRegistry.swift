import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The live sessions of one HTTP front, by id, with the caps on how many may be open (in all and
/// per principal).
final class HTTPSessionRegistry: Sendable {
    /// Why a new session was refused, and how to answer.
    struct Refusal: Sendable {
        let status: HTTPResponseStatus
        let message: String
    }

    private struct Entry {
        let session: any FrontSession
        /// The identity counted against the per-principal cap; nil when it is not capped (anonymous).
        let cappedIdentity: String?
    }

    private struct State {
        var sessions: [String: Entry] = [:]
        var perIdentity: [String: Int] = [:]
        var refused = 0
    }

    /// Seconds a refused client is asked to wait (`Retry-After`).
    static let retryAfterSeconds = 5

    private let state = NIOLockedValueBox(State())
    let maxSessions: Int
    let maxSessionsPerPrincipal: Int

    init(maxSessions: Int = .max, maxSessionsPerPrincipal: Int = .max) {
        self.maxSessions = max(maxSessions, 0)
        self.maxSessionsPerPrincipal = max(maxSessionsPerPrincipal, 0)
    }

    /// The ids of the live sessions.
    var ids: [String] {
        state.withLockedValue { Array($0.sessions.keys) }
    }

    var count: Int {
        state.withLockedValue { $0.sessions.count }
    }

    /// Registers `session` for `principal`, or refuses it when a cap is reached:
    /// 503 when the front has ``maxSessions`` open (the proxy as a whole is full), 429 when the
    /// principal has ``maxSessionsPerPrincipal`` open (this caller is over its share).
    /// The anonymous principal is bounded by the total cap only.
    func add(_ session: any FrontSession, principal: Principal) -> Refusal? {
        let identity = principal.method == .anonymous ? nil : principal.identityKey
        return state.withLockedValue { state -> Refusal? in
            if let refusal = refusal(for: identity, in: state) {
                state.refused += 1
                return refusal
            }
            state.sessions[session.id] = Entry(session: session, cappedIdentity: identity)
            if let identity { state.perIdentity[identity, default: 0] += 1 }
            return nil
        }
    }

    /// What ``addRestored(_:principal:)`` did.
    enum RestoreOutcome {
        /// The session is registered.
        case added
        /// A session with that id was registered meanwhile (another request restored it).
        case existing(StreamableHTTPSession)
        /// A cap is reached.
        case refused(Refusal)
    }

    /// Registers a session restored from its sealed id, unless one with that id is registered
    /// already (two requests of the session arrived at once), or a cap is reached.
    func addRestored(_ session: StreamableHTTPSession, principal: Principal) -> RestoreOutcome {
        let identity = principal.method == .anonymous ? nil : principal.identityKey
        return state.withLockedValue { state -> RestoreOutcome in
            if let existing = state.sessions[session.id]?.session as? StreamableHTTPSession { return .existing(existing) }
            if let refusal = refusal(for: identity, in: state) {
                state.refused += 1
                return .refused(refusal)
            }
            state.sessions[session.id] = Entry(session: session, cappedIdentity: identity)
            if let identity { state.perIdentity[identity, default: 0] += 1 }
            return .added
        }
    }

    /// The refusal `add` would answer for `principal` now, or nil (a check ahead of a WebSocket
    /// upgrade; `add` checks again).
    func refusal(for principal: Principal) -> Refusal? {
        let identity = principal.method == .anonymous ? nil : principal.identityKey
        return state.withLockedValue { state in
            let refusal = refusal(for: identity, in: state)
            if refusal != nil { state.refused += 1 }
            return refusal
        }
    }

    /// Requests refused because a cap was reached, since the start.
    var refusedCount: Int {
        state.withLockedValue { $0.refused }
    }

    private func refusal(for identity: String?, in state: State) -> Refusal? {
        if state.sessions.count >= maxSessions {
            return Refusal(
                status: .serviceUnavailable,
                message: "the proxy has its limit of \(maxSessions) open sessions; try again later or end unused sessions")
        }
        if let identity, state.perIdentity[identity, default: 0] >= maxSessionsPerPrincipal {
            return Refusal(
                status: .tooManyRequests,
                message: "you have the limit of \(maxSessionsPerPrincipal) open sessions; end one (DELETE with its Mcp-Session-Id, or close its stream) before opening another")
        }
        return nil
    }

    func remove(_ id: String) {
        state.withLockedValue { state in
            guard let entry = state.sessions.removeValue(forKey: id), let identity = entry.cappedIdentity else { return }
            let remaining = state.perIdentity[identity, default: 1] - 1
            state.perIdentity[identity] = remaining > 0 ? remaining : nil
        }
    }

    /// The Streamable HTTP session `id` of the endpoint at `path`, if it is bound to the identity of
    /// `principal` (which then becomes the session's principal); nil otherwise, exactly as for an
    /// unknown id.
    /// The Streamable HTTP session `id`, on any endpoint, for anyone (for answers another
    /// replica forwards: it checked the client).
    func streamable(_ id: String) -> StreamableHTTPSession? {
        state.withLockedValue { $0.sessions[id]?.session as? StreamableHTTPSession }
    }

    func streamable(_ id: String, path: String, principal: Principal) -> StreamableHTTPSession? {
        let found = state.withLockedValue { state -> StreamableHTTPSession? in
            guard let session = state.sessions[id]?.session as? StreamableHTTPSession, session.endpoint.path == path else { return nil }
            return session
        }
        guard let found, found.binding.admits(principal) else { return nil }
        return found
    }

    /// The legacy SSE session `id` whose messages path is `path`, if it is bound to the identity of
    /// `principal`; nil otherwise.
    func legacy(_ id: String, messagesPath path: String, principal: Principal) -> LegacySSESession? {
        let found = state.withLockedValue { state -> LegacySSESession? in
            guard let session = state.sessions[id]?.session as? LegacySSESession, session.messagesPath == path else { return nil }
            return session
        }
        guard let found, found.binding.admits(principal) else { return nil }
        return found
    }

    /// Ends the Streamable HTTP sessions idle at `now`; returns how many.
    @discardableResult
    func expireIdle(at now: NIODeadline) -> Int {
        let candidates = state.withLockedValue { $0.sessions.values.compactMap { $0.session as? StreamableHTTPSession } }
        let idle = candidates.filter { $0.isIdle(at: now) }
        for session in idle { session.terminate(.endOfStream) }
        return idle.count
    }

    /// Ends session `id`, if it is here.
    func terminate(id: String) {
        let session = state.withLockedValue { $0.sessions[id]?.session }
        session?.terminate(.endOfStream)
    }

    /// Ends every session with `reason`.
    func terminateAll(_ reason: TransportCloseReason) {
        let all = state.withLockedValue { $0.sessions.values.map(\.session) }
        for session in all { session.terminate(reason) }
    }
}

extension HTTPResponder {
    /// Answers a request refused by a session cap: the status, `Retry-After`, and a JSON-RPC error body.
    func reject(_ refusal: HTTPSessionRegistry.Refusal) {
        var headers = HTTPHeaders()
        headers.add(name: "retry-after", value: String(HTTPSessionRegistry.retryAfterSeconds))
        reject(refusal.status, refusal.message, headers: headers)
    }
}
