import JSONRPC

/// JSON-RPC batches from the client (accepted only under protocol version 2025-03-26): each
/// element is handled as its own message and the answers go back as one array.
extension ProxySession {
    func handleBatch(_ elements: [Result<JSONRPCMessage, JSONRPCScanError>], fromQueue: Bool = false) {
        if !fromQueue {
            let queued = state.withLockedValue { state -> Bool in
                guard state.phase == .initializing || state.phase == .draining,
                      state.deferred.count < Self.maxDeferredMessages else { return false }
                state.deferred.append(.batch(elements))
                return true
            }
            if queued { return }
        }
        guard state.withLockedValue({ $0.phase.isServing && $0.version?.acceptsBatches == true }) else {
            counters.rejected.increment()
            replyError(.direct, id: nil, code: .invalidRequest,
                       message: "JSON-RPC batches are accepted only under protocol version 2025-03-26; send one message per line")
            return
        }
        let expected = elements.reduce(0) { count, element in
            switch element {
            case .failure: return count + 1
            case .success(let message): return count + (message.envelope.kind == .request ? 1 : 0)
            }
        }
        let collector = BatchCollector(expected: expected)
        for element in elements {
            switch element {
            case .failure(let error):
                replyError(.batch(collector), id: error.idBytes, code: error.code, message: error.message)
            case .success(let message):
                if message.envelope.method == .initialize {
                    replyError(.batch(collector), id: message.rawBytes(message.envelope.idRange ?? 0..<0), code: .invalidRequest,
                               message: "initialize must not be part of a batch")
                    continue
                }
                handle(message, route: .batch(collector))
            }
        }
    }
}
