import JSONRPC
import MCPTransports
import NIOCore

/// What an upstream sends: responses to forwarded requests and to the proxy's own, its own
/// requests and notifications, progress, and the end of its transport.
extension UpstreamConnection {
    func transportReceived(_ frame: InboundFrame) {
        if logger.logLevel <= .trace, case .message(let text) = frame { logger.trace("from upstream: \(String(buffer: text))") }
        let bytes: ByteBuffer
        switch frame {
        case .message(let buffer):
            bytes = buffer
        case .oversized(let count, let limit):
            logger.error("upstream sent a message of \(count) bytes, over the limit of \(limit) bytes; it was dropped")
            failUnreadableReply(idBytes: nil, reason: "its reply of \(count) bytes exceeds the proxy's limit of \(limit) bytes")
            return
        }
        let message: JSONRPCMessage
        do {
            message = try scanner.scanMessage(bytes)
        } catch {
            logger.warning("upstream sent something that is not a JSON-RPC message; dropped: \(error.message)")
            failUnreadableReply(idBytes: error.idBytes ?? SalvagedID.find(in: bytes), reason: "its reply could not be read (\(error.message))")
            return
        }
        switch message.envelope.kind {
        case .successResponse, .errorResponse:
            handleResponse(message)
        case .request:
            events?.upstream(self, request: message)
        case .notification:
            if message.envelope.method == .progress {
                handleProgress(message)
            } else {
                events?.upstream(self, notification: message)
            }
        }
    }

    func transportReceivedOversized(_ frame: OversizedFrame) {
        logger.error("upstream sent a message of \(frame.byteCount) bytes, over the limit of \(frame.limit) bytes; it was dropped")
        let id = frame.prefix.flatMap(SalvagedID.find(in:)) ?? frame.suffix.flatMap { suffix -> [UInt8]? in
            // The end of an object: `…,"id":7}`; scan it as if it opened one.
            var wrapped = ByteBufferAllocator().buffer(capacity: suffix.readableBytes + 1)
            wrapped.writeInteger(UInt8(ascii: "{"))
            var tail = suffix
            if let comma = tail.readableBytesView.lastIndex(of: UInt8(ascii: ",")) {
                tail.moveReaderIndex(to: comma + 1)
            }
            wrapped.writeBuffer(&tail)
            return SalvagedID.find(in: wrapped)
        }
        failUnreadableReply(idBytes: id, reason: "its reply of \(frame.byteCount) bytes exceeds the proxy's limit of \(frame.limit) bytes (proxy.limits.maxLineBytes)")
    }

    func transportClosed(_ reason: TransportCloseReason) {
        let error = UpstreamError(.unavailable, upstream: name, message: "\(reason)")
        stop(error)
        // The transport holds this connection as its sink: let go of it, or each crashed
        // incarnation keeps the other alive (about 26 KB a restart).
        state.withLockedValue { $0.transport = nil }
    }

    func handleResponse(_ message: JSONRPCMessage) {
        guard case .number(let id)? = message.envelope.id else {
            logger.warning("upstream sent a response with an id the proxy never used; dropped")
            return
        }
        let entry = state.withLockedValue { $0.pending.removeValue(forKey: id) }
        switch entry {
        case .forwarded(let request):
            request.owner.upstream(self, answered: request, with: message)
        case .local(let continuation):
            continuation.resume(returning: .success(message))
        case nil:
            logger.debug("late response dropped (cancelled or timed out)", metadata: ["id": "\(id)"])
        }
    }

    /// A reply the proxy cannot use: the request it answers (found by its id) gets an error now
    /// instead of waiting for its timeout.
    func failUnreadableReply(idBytes: [UInt8]?, reason: String) {
        let error = UpstreamError(.protocolViolation, upstream: name, message: reason)
        let entry = state.withLockedValue { state -> Pending? in
            var key: Int64?
            // Only by its id: a stray line is not a reply, and guessing could fail another
            // client's request.
            if let idBytes, let text = String(bytes: idBytes, encoding: .utf8), let id = Int64(text) {
                key = id
            }
            guard let key else { return nil }
            return state.pending.removeValue(forKey: key)
        }
        switch entry {
        case .forwarded(let request):
            request.owner.upstream(self, abandoned: [request], error: error)
        case .local(let continuation):
            continuation.resume(returning: .failure(error))
        case nil:
            break
        }
    }

    /// Forwarded requests waiting for this connection (for health and load decisions).
    var pendingCount: Int { state.withLockedValue { $0.pending.count } }

    /// The client session of the only forwarded request in flight here; nil when there are
    /// none or several (then a message the wire does not attribute belongs to nobody known).
    var soleRequestOwner: ProxySession? {
        state.withLockedValue { state in
            var owner: ProxySession?
            for entry in state.pending.values {
                guard case .forwarded(let request) = entry else { continue }
                if let owner, owner !== request.owner { return nil }
                owner = request.owner
            }
            return owner
        }
    }

    func handleProgress(_ message: JSONRPCMessage) {
        // The proxy's progress token for a forwarded request is its upstream id.
        guard case .number(let token)? = message.envelope.progressToken else { return }
        let entry = state.withLockedValue { $0.pending[token] }
        if case .forwarded(let request) = entry, request.clientProgressToken != nil {
            request.owner.upstream(self, progress: message, for: request)
        }
    }
}
