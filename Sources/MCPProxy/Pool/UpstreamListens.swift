import JSONRPC
import NIOConcurrencyHelpers
import NIOCore

/// The `subscriptions/listen` requests the proxy keeps open toward one 2026-07-28 upstream
/// (UpstreamService+Listen.swift): per upstream session, one for list changes and one per
/// subscribed resource URI. Each is a request that is never answered while it lasts; its
/// notifications arrive tagged with its id and are routed like any upstream notification.
final class UpstreamListens: Sendable {
    /// One open upstream listen.
    struct Open: Sendable {
        /// The upstream session it is open on (weak: a stopped session's listens are gone).
        weak var connection: UpstreamConnection?
        /// The listen request's upstream id, which is also its subscription id there.
        let id: Int64
    }

    private struct State {
        /// Upstream URI -> its listens (one per upstream session that has it).
        var resources: [String: [Open]] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// The first frame of a listen, which the proxy's own listens need not relay.
    static let acknowledgedMethod = "notifications/subscriptions/acknowledged"

    /// Records the listen `id` on `connection` for `uri`.
    func add(uri: String, _ open: Open) {
        state.withLockedValue { state in
            state.resources[uri, default: []].removeAll { $0.connection == nil }
            state.resources[uri, default: []].append(open)
        }
    }

    /// Forgets every listen of `uri` and returns those still on a live upstream session.
    func remove(uri: String) -> [Open] {
        state.withLockedValue { $0.resources.removeValue(forKey: uri) ?? [] }.filter { $0.connection != nil }
    }

    /// The URIs with at least one listen, as recorded.
    var uris: [String] { state.withLockedValue { Array($0.resources.keys) } }

    /// The `subscriptions/listen` request: `params.notifications` is `filter` (a JSON object's bytes).
    static func listenRequest(on connection: UpstreamConnection, id: Int64, filter: [UInt8]) -> ByteBuffer {
        let (method, params) = connection.modernized(method: MCPMethod.subscriptionsListen.name, params: Array(#"{"notifications":"#.utf8) + filter + [UInt8(ascii: "}")])
        return JSONRPCEncoder.request(idBytes: JSONRPCID.number(id).jsonBytes, method: method, params: params)
    }

    /// `notifications/cancelled` for the listen `id`: the way a client ends a listen over stdio.
    static func cancel(id: Int64) -> ByteBuffer {
        let params = Array(#"{"requestId":"#.utf8) + JSONRPCID.number(id).jsonBytes + Array(#","reason":"no client listens any more"}"#.utf8)
        return JSONRPCEncoder.notification(method: MCPMethod.cancelled.name, params: params)
    }
}
