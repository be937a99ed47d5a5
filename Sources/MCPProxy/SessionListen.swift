import JSONRPC
import NIOCore

/// `subscriptions/listen` (2026-07-28): a request that stays open and carries the list-change
/// notifications its client asked for, each tagged with the listen request's id in
/// `_meta["io.modelcontextprotocol/subscriptionId"]`. The first message is
/// `notifications/subscriptions/acknowledged` with what the proxy honours. On HTTP it is the
/// listen POST's event stream; closing it ends the listen (the connection's session ends). On
/// stdio `notifications/cancelled` naming the listen id ends it.
struct ListenSubscription: Sendable {
    /// The listen request's id (its exact JSON), which is also the subscription id.
    let idBytes: [UInt8]
    let id: JSONRPCID
    /// Which list-change notifications it wants.
    let tools: Bool
    let prompts: Bool
    let resources: Bool
    /// The resources it subscribed to, by the URI the client sent (SessionListenResources.swift).
    var subscribed: [String: ListenResource] = [:]
    /// False while its resources are being subscribed: nothing reaches it before its acknowledgement.
    var acknowledged = true

    func wants(_ method: String) -> Bool {
        switch method {
        case MCPMethod.toolsListChanged.name: return tools
        case MCPMethod.promptsListChanged.name: return prompts
        case MCPMethod.resourcesListChanged.name: return resources
        default: return false
        }
    }
}

extension ProxySession {
    /// Opens a listen: records it and acknowledges what it will carry. Its `resourceSubscriptions`
    /// are subscribed first (SessionListenResources.swift), and the acknowledgement names only
    /// the URIs that hold, as the spec says for unsupported types.
    func openListen(_ message: JSONRPCMessage, id: [UInt8]) {
        guard let clientID = message.envelope.id else { return }
        let filter = message.envelope.paramsRange.flatMap { JSONView(message: message, range: $0)["notifications"] }
        let wants = { (key: String) in filter?[key]?.bool == true }
        var listen = ListenSubscription(
            idBytes: id, id: clientID, tools: wants("toolsListChanged"), prompts: wants("promptsListChanged"),
            resources: wants("resourcesListChanged"))
        let uris = filter?["resourceSubscriptions"]?.elements.compactMap(\.string) ?? []
        listen.acknowledged = uris.isEmpty
        state.withLockedValue { $0.listens[clientID] = listen }
        var honoured: [String: JSONValue] = [:]
        if listen.tools { honoured["toolsListChanged"] = .bool(true) }
        if listen.prompts { honoured["promptsListChanged"] = .bool(true) }
        if listen.resources { honoured["resourcesListChanged"] = .bool(true) }
        guard uris.isEmpty else {
            let listChanges = honoured
            runTask { await self.subscribeListenResources(clientID, uris: uris, listChanges: listChanges) }
            return
        }
        sendListenAcknowledgement(listen, honoured: honoured)
    }

    /// The first frame of a listen: `notifications/subscriptions/acknowledged` with what it honours.
    func sendListenAcknowledgement(_ listen: ListenSubscription, honoured: [String: JSONValue]) {
        let (id, clientID) = (listen.idBytes, listen.id)
        var params = Array(#"{"_meta":{"io.modelcontextprotocol/subscriptionId":"#.utf8) + id + Array(#"},"notifications":"#.utf8)
        params += JSONValue.object(honoured).encoded
        params.append(UInt8(ascii: "}"))
        sendToClient(JSONRPCEncoder.notification(method: "notifications/subscriptions/acknowledged", params: params), relatedTo: clientID)
    }

    /// Sends a list-change notification to every listen that asked for it; false when the
    /// session has no listen (the notification then goes out as in the handshake era).
    func notifyListens(method: String) -> Bool {
        let listens = state.withLockedValue { Array($0.listens.values) }
        guard !listens.isEmpty else { return false }
        for listen in listens where listen.acknowledged && listen.wants(method) {
            let params = Array(#"{"_meta":{"io.modelcontextprotocol/subscriptionId":"#.utf8) + listen.idBytes + Array("}}".utf8)
            sendToClient(JSONRPCEncoder.notification(method: method, params: params), relatedTo: listen.id)
        }
        return true
    }

    /// `notifications/cancelled` for a listen ends it (no response follows). True when it was one.
    func closeListen(_ requestID: JSONRPCID) -> Bool {
        guard let listen = state.withLockedValue({ $0.listens.removeValue(forKey: requestID) }) else { return false }
        releaseListenResources(listen)  // SessionListenResources.swift
        return true
    }
}
