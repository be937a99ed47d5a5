import JSONRPC
import NIOCore

/// One open `subscriptions/listen`: what it asked for and where its frames go.
struct ModernListen: Sendable {
    /// The listen request's id, which tags every frame (`io.modelcontextprotocol/subscriptionId`).
    let id: JSONRPCID
    let toolsListChanged: Bool
    let promptsListChanged: Bool
    let resourcesListChanged: Bool
    let resourceSubscriptions: Set<String>
    let reply: any ModernReply

    /// True when this listen asked for `method` (about `uri` for resources/updated).
    func wants(_ method: String, uri: String?) -> Bool {
        switch method {
        case "notifications/tools/list_changed": return toolsListChanged
        case "notifications/prompts/list_changed": return promptsListChanged
        case "notifications/resources/list_changed": return resourcesListChanged
        case "notifications/resources/updated": return uri.map { resourceSubscriptions.contains($0) } ?? false
        default: return false
        }
    }
}

extension ModernEra {
    /// Opens a listen: sends the acknowledgement (the first frame tagged with its id), then
    /// keeps it until `endListen`. Returns its token (HTTP ends it by token when the stream closes).
    @discardableResult
    func startListen(id: JSONRPCID, params: JSONValue, reply: any ModernReply) -> UInt64 {
        let filter = params["notifications"] ?? .object([:])
        let uris = filter["resourceSubscriptions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let listen = ModernListen(
            id: id,
            toolsListChanged: filter["toolsListChanged"]?.boolValue == true,
            promptsListChanged: filter["promptsListChanged"]?.boolValue == true,
            resourcesListChanged: filter["resourcesListChanged"]?.boolValue == true,
            resourceSubscriptions: Set(uris),
            reply: reply)
        var agreed: [String: JSONValue] = [:]
        if listen.toolsListChanged { agreed["toolsListChanged"] = .bool(true) }
        if listen.promptsListChanged { agreed["promptsListChanged"] = .bool(true) }
        if listen.resourcesListChanged { agreed["resourcesListChanged"] = .bool(true) }
        if !uris.isEmpty { agreed["resourceSubscriptions"] = .array(uris.map { .string($0) }) }
        let token = nextListen.withLockedValue { next -> UInt64 in
            defer { next += 1 }
            return next
        }
        let ack = JSONValue.object([
            "_meta": .object([Self.subscriptionKey: id.jsonValue]),
            "notifications": .object(agreed),
        ])
        // Under the lock, so no event for this listen can overtake its acknowledgement.
        listens.withLockedValue { listens in
            reply.notify(JSONRPCEncoder.notification(method: "notifications/subscriptions/acknowledged", params: ack.encoded))
            listens[token] = listen
        }
        return token
    }

    /// Ends the listens that `match` selects (no more frames, no response); true when one was open.
    func endListen(where match: (ModernListen) -> Bool) -> Bool {
        listens.withLockedValue { listens in
            let tokens = listens.filter { match($0.value) }.map(\.key)
            for token in tokens { listens.removeValue(forKey: token) }
            return !tokens.isEmpty
        }
    }

    /// Ends the listen with `token` (its HTTP stream closed).
    func endListen(token: UInt64) {
        _ = listens.withLockedValue { $0.removeValue(forKey: token) }
    }

    /// Sends a change notification to every listen that asked for it, tagged with its id.
    func broadcast(_ method: String, _ params: JSONValue) {
        var members = params.objectValue ?? [:]
        let uri = members["uri"]?.stringValue
        listens.withLockedValue { listens in
            for listen in listens.values where listen.wants(method, uri: uri) {
                var meta = members["_meta"]?.objectValue ?? [:]
                meta[Self.subscriptionKey] = listen.id.jsonValue
                members["_meta"] = .object(meta)
                listen.reply.notify(JSONRPCEncoder.notification(method: method, params: JSONValue.object(members).encoded))
            }
        }
    }
}
