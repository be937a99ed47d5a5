import NIOConcurrencyHelpers
import NIOCore

/// The live sessions of one HTTP front, by id.
final class HTTPSessionRegistry: Sendable {
    private let sessions = NIOLockedValueBox<[String: any FrontSession]>([:])

    var count: Int {
        sessions.withLockedValue { $0.count }
    }

    func add(_ session: any FrontSession) {
        sessions.withLockedValue { $0[session.id] = session }
    }

    func remove(_ id: String) {
        sessions.withLockedValue { $0[id] = nil }
    }

    /// The Streamable HTTP session `id` of the endpoint at `path`.
    func streamable(_ id: String, path: String) -> StreamableHTTPSession? {
        sessions.withLockedValue { sessions in
            guard let session = sessions[id] as? StreamableHTTPSession, session.endpoint.path == path else { return nil }
            return session
        }
    }

    /// The legacy SSE session `id` whose messages path is `path`.
    func legacy(_ id: String, messagesPath path: String) -> LegacySSESession? {
        sessions.withLockedValue { sessions in
            guard let session = sessions[id] as? LegacySSESession, session.messagesPath == path else { return nil }
            return session
        }
    }

    /// Ends the Streamable HTTP sessions idle at `now`; returns how many.
    @discardableResult
    func expireIdle(at now: NIODeadline) -> Int {
        let candidates = sessions.withLockedValue { $0.values.compactMap { $0 as? StreamableHTTPSession } }
        let idle = candidates.filter { $0.isIdle(at: now) }
        for session in idle { session.terminate(.endOfStream) }
        return idle.count
    }

    /// Ends every session with `reason`.
    func terminateAll(_ reason: TransportCloseReason) {
        let all = sessions.withLockedValue { Array($0.values) }
        for session in all { session.terminate(reason) }
    }
}
