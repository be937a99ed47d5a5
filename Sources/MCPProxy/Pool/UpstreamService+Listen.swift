import JSONRPC
import MCPPool
import NIOCore

/// Change notifications from upstreams for clients' `subscriptions/listen` (2026-07-28):
/// - toward a 2026-07-28 upstream that declares `listChanged`, each of its sessions gets a
///   proxy-owned listen for those list changes when it becomes ready, so they reach the catalog
///   (which re-lists) and every listening client;
/// - a resource subscription is held upstream per upstream URI, for all client sessions that
///   want it: `resources/subscribe` toward a handshake-era upstream, a listen with
///   `resourceSubscriptions: [uri]` toward a 2026-07-28 one. The last client going away
///   unsubscribes (`resources/unsubscribe`, or `notifications/cancelled` naming the listen).
extension UpstreamService {
    /// Whether its sessions speak 2026-07-28 (known once one was ready).
    var speaksModernEra: Bool {
        guard let version = initializeResult?.protocolVersion else { return false }
        return !ProtocolVersion(rawValue: version).usesHandshake
    }

    /// Whether it can hold a subscription to a resource: it declared `resources.subscribe`.
    var offersResourceSubscriptions: Bool { initializeResult?.capabilities.resourcesSubscribe ?? false }

    /// Subscribes upstream to `uri` (its own URI) for the first client that wants it; true when
    /// it holds. Count clients with `subscribe(_:session:)` first; call this only when it returned true.
    func holdSubscription(_ uri: String) async -> Bool {
        guard speaksModernEra else {
            let params = Array(#"{"uri":"#.utf8) + JSONString.encode(uri) + [UInt8(ascii: "}")]
            if case .failure(let error) = await request(method: MCPMethod.resourcesSubscribe.name, params: params, timeout: options.requestTimeout) {
                logger.warning("could not subscribe to \(uri): \(error)")
                return false
            }
            return true
        }
        let lease: UpstreamLease
        if let quick = tryLease(.shared) {
            lease = quick
        } else {
            guard case .success(let slow) = await self.lease(.shared, timeout: options.requestTimeout) else { return false }
            lease = slow
        }
        defer { release(lease, signal: nil) }
        return openResourceListen(uri, on: lease.connection)
    }

    /// Drops the upstream subscription to `uri` (its own URI): the last client no longer wants it.
    func dropSubscription(_ uri: String) async {
        let listens = upstreamListens.remove(uri: uri)
        guard speaksModernEra || !listens.isEmpty else {
            let params = Array(#"{"uri":"#.utf8) + JSONString.encode(uri) + [UInt8(ascii: "}")]
            _ = await request(method: MCPMethod.resourcesUnsubscribe.name, params: params, timeout: options.requestTimeout)
            return
        }
        for open in listens {
            open.connection?.send(UpstreamListens.cancel(id: open.id))
            logger.debug("ended the listen for \(uri)", metadata: ["listen": "\(open.id)"])
        }
    }

    /// A 2026-07-28 upstream session became ready: opens its list-change listen (for what it
    /// declares `listChanged`) and a listen for each resource clients are subscribed to. Returns
    /// false for a handshake-era session, which `resources/subscribe` prepares instead.
    func prepareModernListens(_ connection: UpstreamConnection, result: InitializeResult, subscriptions: [String]) -> Bool {
        guard !ProtocolVersion(rawValue: result.protocolVersion).usesHandshake else { return false }
        let capabilities = result.capabilities
        var filter: [String] = []
        if capabilities.toolsListChanged { filter.append(#""toolsListChanged":true"#) }
        if capabilities.promptsListChanged { filter.append(#""promptsListChanged":true"#) }
        if capabilities.resourcesListChanged { filter.append(#""resourcesListChanged":true"#) }
        if !filter.isEmpty, let id = connection.reserveID() {
            connection.send(UpstreamListens.listenRequest(on: connection, id: id, filter: Array("{\(filter.joined(separator: ","))}".utf8)))
            logger.debug("listening for list changes", metadata: ["listen": "\(id)"])
        }
        if capabilities.resourcesSubscribe {
            for uri in subscriptions { _ = openResourceListen(uri, on: connection) }
        }
        return true
    }

    /// Opens a listen for `uri` on `connection`; false when the session cannot take it.
    private func openResourceListen(_ uri: String, on connection: UpstreamConnection) -> Bool {
        guard offersResourceSubscriptions || connection.initializeResult?.capabilities.resourcesSubscribe == true,
              let id = connection.reserveID() else { return false }
        let filter = Array(#"{"resourceSubscriptions":["#.utf8) + JSONString.encode(uri) + Array("]}".utf8)
        guard connection.send(UpstreamListens.listenRequest(on: connection, id: id, filter: filter)) else { return false }
        upstreamListens.add(uri: uri, UpstreamListens.Open(connection: connection, id: id))
        return true
    }
}
