import JSONRPC
import NIOCore

/// One resource a client's listen subscribed to: the upstream that owns it and its URI there.
struct ListenResource: Sendable, Equatable {
    /// The upstream's index.
    let upstream: Int
    /// The URI at that upstream (the client's may be rewritten).
    let uri: String
}

/// `resourceSubscriptions` of a client's `subscriptions/listen` (2026-07-28): each URI is routed
/// to the upstream that owns it (as `resources/read` is) and subscribed there, once for all the
/// clients that want it (UpstreamService+Listen.swift); the acknowledgement names only the URIs
/// that hold. Each `notifications/resources/updated` of such a URI then goes to the listens that
/// asked for it, with the URI as the client knows it and tagged with the listen's id. The listen
/// ending (cancelled, or its HTTP stream or the session closing) releases its subscriptions.
extension ProxySession {
    /// Subscribes a listen's URIs, then acknowledges it (with the list changes it asked for and
    /// the URIs that hold) and lets notifications reach it. The listen is already recorded, not
    /// yet acknowledged: nothing reaches it before its acknowledgement.
    func subscribeListenResources(_ clientID: JSONRPCID, uris: [String], listChanges: [String: JSONValue]) async {
        if uris.contains(where: { resourceTarget(for: $0) == nil }) {
            for kind in [ListKind.resources, .resourceTemplates] where !allListsLoaded(kind) { await loadLists(kind) }
        }
        var held: [String: ListenResource] = [:]
        for uri in uris where held[uri] == nil {
            guard let target = resourceTarget(for: uri) else { continue }
            let resource = ListenResource(upstream: target.upstream, uri: target.uri)
            if await holdListenResource(resource, for: clientID) { held[uri] = resource }
        }
        var honoured = listChanges
        let agreed = uris.filter { held[$0] != nil }
        if !agreed.isEmpty { honoured["resourceSubscriptions"] = .array(agreed.map { .string($0) }) }
        let acknowledged = state.withLockedValue { state -> ListenSubscription? in
            guard var listen = state.listens[clientID] else { return nil }
            listen.subscribed = held
            listen.acknowledged = true
            state.listens[clientID] = listen
            return listen
        }
        guard let acknowledged else {
            // Cancelled while subscribing: give back what it took.
            var gone = ListenSubscription(idBytes: [], id: clientID, tools: false, prompts: false, resources: false)
            gone.subscribed = held
            releaseListenResources(gone)
            return
        }
        sendListenAcknowledgement(acknowledged, honoured: honoured)
    }

    /// Subscribes the upstream to `resource` for this session unless another of its listens
    /// already has it; true when it holds.
    private func holdListenResource(_ resource: ListenResource, for clientID: JSONRPCID) async -> Bool {
        guard let service = services[safe: resource.upstream] else { return false }
        let heldAlready = state.withLockedValue { state in
            state.listens.contains { $0.key != clientID && $0.value.subscribed.values.contains(resource) }
        }
        if heldAlready { return true }
        guard case .success = await service.ready(timeout: options.initializeTimeout), service.offersResourceSubscriptions else { return false }
        guard service.subscribe(resource.uri, session: self) else { return true }  // another client holds it upstream
        if await service.holdSubscription(resource.uri) { return true }
        _ = service.unsubscribe(resource.uri, session: self)
        return false
    }

    /// Gives back the subscriptions of a listen that ended, each unless another listen of this
    /// session still has it (the last client's going unsubscribes upstream).
    func releaseListenResources(_ listen: ListenSubscription) {
        guard !listen.subscribed.isEmpty else { return }
        let released = state.withLockedValue { state in
            Set(listen.subscribed.values).filter { resource in
                !state.listens.values.contains { $0.id != listen.id && $0.subscribed.values.contains(resource) }
            }
        }
        for resource in released {
            guard let service = services[safe: resource.upstream], service.unsubscribe(resource.uri, session: self) else { continue }
            runTask { await service.dropSubscription(resource.uri) }
        }
    }

    /// Sends `notifications/resources/updated` from `upstream` to the listens subscribed to its
    /// URI, tagged with each listen's id; false when no listen has it (the handshake-era path
    /// then decides).
    func relayResourceUpdateToListens(_ upstream: UpstreamConnection, message: JSONRPCMessage) -> Bool {
        guard let uri = message.envelope.uri else { return false }
        let resource = ListenResource(upstream: upstream.index, uri: uri)
        let listens = state.withLockedValue { state in
            state.listens.values.compactMap { listen in
                listen.acknowledged ? listen.subscribed.first(where: { $0.value == resource }).map { (listen, $0.key) } : nil
            }
        }
        guard !listens.isEmpty else { return relayModernUpdateToHandshakeClient(upstream, uri: uri) }
        for (listen, exposed) in listens {
            var params = Array(#"{"_meta":{"io.modelcontextprotocol/subscriptionId":"#.utf8) + listen.idBytes
            params += Array(#"},"uri":"#.utf8) + JSONString.encode(exposed) + [UInt8(ascii: "}")]
            sendToClient(JSONRPCEncoder.notification(method: MCPMethod.resourcesUpdated.name, params: params), relatedTo: listen.id)
        }
        return true
    }

    /// A handshake-era client subscribed (SessionModernSubscribe.swift) to a 2026-07-28 upstream's
    /// resource gets its update as in the handshake era: the client's URI, without the tag of the
    /// proxy's upstream listen. False for any other update (the handshake-era path decides).
    private func relayModernUpdateToHandshakeClient(_ upstream: UpstreamConnection, uri: String) -> Bool {
        guard upstream.speaksModern.load(ordering: .relaxed) else { return false }
        let exposed = catalog.exposedURI(uri, upstream: upstream.index)
        let subscribed = state.withLockedValue { state in
            state.subscriptions[exposed] != nil || state.subscriptions.keys.contains { exposed.hasPrefix($0) }
        }
        if subscribed {
            let params = Array(#"{"uri":"#.utf8) + JSONString.encode(exposed) + [UInt8(ascii: "}")]
            sendToClient(JSONRPCEncoder.notification(method: MCPMethod.resourcesUpdated.name, params: params))
        }
        return true
    }
}

extension ListenResource: Hashable {}
