import JSONRPC
import NIOCore

/// Notifications both ways, requests from upstreams to the client, and the client's answers.
extension ProxySession {
    // MARK: From the client

    func handleNotification(_ message: JSONRPCMessage) {
        switch message.envelope.method {
        case .cancelled?:
            cancelFromClient(message)
        case .rootsListChanged?:
            // Only this client's own upstream sessions: a shared one asks for roots during a
            // leased call, so it never keeps one client's roots for another.
            // Not to upstreams whose roots are denied (proxy.serverRequests): they were not told of roots.
            for service in services where !service.isShared && serverRequestGate?.policy.denies(.roots, upstream: service.index) != true {
                for backend in service.backends {
                    for connection in backend.pool.usableConnections { connection.send(message.bytes) }
                }
            }
        case .progress?:
            // Progress for a request an upstream sent to the client: token is the upstream's own.
            forwardClientProgress(message)
        case .initialized?:
            break
        default:
            logger.debug("client notification ignored", metadata: ["method": "\(message.envelope.method?.name ?? "?")"])
        }
    }

    func cancelFromClient(_ message: JSONRPCMessage) {
        guard let requestID = message.envelope.cancelledRequestID, let range = message.envelope.cancelledRequestIDRange else { return }
        if closeListen(requestID) { return }  // SessionListen.swift
        let target = state.withLockedValue { state -> (connection: UpstreamConnection, id: Int64)? in
            if let target = state.inflight.removeValue(forKey: requestID) { return target }
            // Not forwarded yet (waiting for a catalog load or an upstream start): drop it there.
            state.routing.remove(requestID)
            return nil
        }
        guard let target else {
            // A request the session this one replaced (a reload) is still finishing.
            predecessorSession?.cancelFromClient(message)
            return
        }
        let upstream = target.connection
        guard let request = upstream.abandon(target.id) else { return }
        complete(request, outcome: .cancelled, now: MonotonicClock.now())
        upstream.send(message.splicing(range, with: JSONRPCID.number(target.id).jsonBytes))
        if case .batch(let collector) = request.reply, let all = collector.skip() {
            sendToClient(all)
        }
    }

    private func forwardClientProgress(_ message: JSONRPCMessage) {
        // A request sent to the client carries the proxy id as its progress token; progress for
        // it goes back to that request's upstream only, with the upstream's own token.
        guard case .number(let token)? = message.envelope.progressToken, let range = message.envelope.progressTokenRange,
              let entry = state.withLockedValue({ $0.serverRequests[token] }), let original = entry.progressToken else { return }
        entry.connection.send(message.splicing(range, with: original))
    }

    /// The client's answer to a request an upstream sent it.
    func handleClientResponse(_ message: JSONRPCMessage) {
        if takeBridgedAnswer(message) { return }  // SessionInputBridge.swift
        guard case .number(let proxyID)? = message.envelope.id,
              let idRange = message.envelope.idRange,
              let target = state.withLockedValue({ $0.serverRequests.removeValue(forKey: proxyID) })
        else {
            if let predecessor = predecessorSession {
                // A request the session this one replaced (a reload) sent to the client.
                predecessor.handleClientResponse(message)
                return
            }
            logger.warning("client sent a response to no request the proxy made; dropped",
                           metadata: ["id": "\(message.envelope.id.map { "\($0)" } ?? "null")"])
            return
        }
        target.connection.send(message.splicing(idRange, with: target.idBytes))
    }

    // MARK: From upstreams

    func upstream(_ upstream: UpstreamConnection, request message: JSONRPCMessage) {
        guard let idRange = message.envelope.idRange, let method = message.envelope.method else { return }
        let upstreamIDBytes = message.rawBytes(idRange)
        // An upstream's ping is answered by its service before it gets here.
        var policyEdits: [ByteSplice] = []
        if let gate = serverRequestGate {
            switch gate.decide(method, message: message, upstream: upstream.index, name: upstream.name, now: MonotonicClock.now()) {
            case .relay(let edits):
                policyEdits = edits
            case .refuse(let refusal):
                ServerRequestGate.count(refusal, upstream: upstream.name, stats: stats)
                upstream.send(JSONRPCEncoder.errorResponse(idBytes: upstreamIDBytes, code: refusal.code, message: refusal.message, data: refusal.data))
                return
            }
        }
        // A 2026-07-28 client is asked with `input_required` instead (SessionModernBridge.swift).
        let question = policyEdits.isEmpty ? message : ((try? scanner.scanMessage(message.splicing(policyEdits))) ?? message)
        if bridgeForModernClient(upstream, question: question) { return }
        let capabilities = state.withLockedValue { $0.clientCapabilities }
        if let refusal = Self.refusal(for: method, message: message, capabilities: capabilities) {
            upstream.send(JSONRPCEncoder.errorResponse(idBytes: upstreamIDBytes, code: refusal.code, message: refusal.message))
            return
        }
        let tokenRange = message.envelope.progressTokenRange
        let upstreamToken = tokenRange.map { message.rawBytes($0) }
        let proxyID = state.withLockedValue { state -> Int64 in
            let id = state.nextServerRequestID
            state.nextServerRequestID += 1
            state.serverRequests[id] = (upstream, upstreamIDBytes, upstreamToken)
            return id
        }
        let proxyIDBytes = JSONRPCID.number(proxyID).jsonBytes
        var edits = [ByteSplice(range: idRange, replacement: proxyIDBytes)]
        if let tokenRange { edits.append(ByteSplice(range: tokenRange, replacement: proxyIDBytes)) }
        edits += policyEdits
        let related = relatedClientRequest(at: upstream)
        if !sendOrHoldForClient(message.splicing(edits), relatedTo: related) {
            state.withLockedValue { _ = $0.serverRequests.removeValue(forKey: proxyID) }
            upstream.send(JSONRPCEncoder.errorResponse(idBytes: upstreamIDBytes, code: .internalError, message: "The client session is not ready"))
        }
    }

    /// Why a request an upstream sends cannot go to this client, if it cannot.
    static func refusal(for method: MCPMethod, message: JSONRPCMessage, capabilities: ClientCapabilities) -> (code: JSONRPCErrorCode, message: String)? {
        switch method {
        case .samplingCreateMessage:
            return capabilities.sampling ? nil : (.methodNotFound, "The client does not support sampling")
        case .rootsList:
            return capabilities.roots ? nil : (.methodNotFound, "The client does not support roots")
        case .elicitationCreate:
            guard capabilities.elicitation else { return (.methodNotFound, "The client does not support elicitation") }
            let mode = message.envelope.paramsRange.flatMap { JSONView(message: message, range: $0)["mode"]?.string } ?? "form"
            if mode == "url" && !capabilities.elicitationURL {
                return (.invalidParams, "The client does not support URL-mode elicitation")
            }
            if mode == "form" && !capabilities.elicitationForm {
                return (.invalidParams, "The client does not support form-mode elicitation")
            }
            return nil
        default:
            return (.methodNotFound, "Method not found: '\(method.name)' (the proxy forwards sampling, elicitation, roots and ping to clients)")
        }
    }

    func upstream(_ upstream: UpstreamConnection, notification message: JSONRPCMessage) {
        guard let method = message.envelope.method else { return }
        switch method {
        case .toolsListChanged, .promptsListChanged, .resourcesListChanged:
            notifyClient(method: method.name)  // the service invalidated the catalog
        case .cancelled:
            cancelFromUpstream(upstream, message: message)
        case .resourcesUpdated:
            forwardResourceUpdate(upstream, message: message)
        case .message:
            forwardLog(upstream, message: message)
        case .tasksStatus:
            forwardTaskStatus(upstream, message: message)  // SessionTasks.swift
        default:
            sendOrHoldForClient(message.bytes)
        }
    }

    private func cancelFromUpstream(_ upstream: UpstreamConnection, message: JSONRPCMessage) {
        guard let range = message.envelope.cancelledRequestIDRange else { return }
        let idBytes = message.rawBytes(range)
        let proxyID = state.withLockedValue { state -> Int64? in
            guard let match = state.serverRequests.first(where: { $0.value.connection === upstream && $0.value.idBytes == idBytes }) else { return nil }
            state.serverRequests.removeValue(forKey: match.key)
            return match.key
        }
        guard let proxyID else { return }
        sendToClient(message.splicing(range, with: JSONRPCID.number(proxyID).jsonBytes))
    }

    private func forwardResourceUpdate(_ upstream: UpstreamConnection, message: JSONRPCMessage) {
        if relayResourceUpdateToListens(upstream, message: message) { return }  // SessionListenResources.swift
        guard let uri = message.envelope.uri, let range = message.envelope.uriRange else { return }
        let exposed = catalog.exposedURI(uri, upstream: upstream.index)
        let subscribed = state.withLockedValue { state in
            state.subscriptions[exposed] != nil || state.subscriptions.keys.contains { exposed.hasPrefix($0) }
        }
        guard subscribed else { return }
        sendToClient(exposed == uri ? message.bytes : message.splicing(range, with: JSONString.encode(exposed)))
    }

    /// Log messages name their upstream in `logger` ("alpha" or "alpha/original-logger").
    private func forwardLog(_ upstream: UpstreamConnection, message: JSONRPCMessage) {
        guard let paramsRange = message.envelope.paramsRange else { return }
        let params = JSONView(message: message, range: paramsRange)
        let level = params["level"]?.string.flatMap(LogSeverity.init(name:))
        if servesModernClientOnly {
            // 2026-07-28: logs only during a request that asked for them, at its level.
            guard let wanted = modernLogLevel(at: upstream), let level, level >= wanted else { return }
        } else if let wanted = state.withLockedValue({ $0.logLevel }), let level, level < wanted {
            return
        }
        let original = params["logger"]?.string
        let logger = original.map { "\(upstream.name)/\($0)" } ?? upstream.name
        guard let rewritten = JSONObjectEditor.setting("logger", to: JSONString.encode(logger), in: params) else { return }
        let start = paramsRange.lowerBound
        var bytes = ByteBufferAllocator().buffer(capacity: message.bytes.readableBytes + logger.utf8.count + 16)
        bytes.writeImmutableBuffer(message.slice(0..<start))
        bytes.writeBytes(rewritten)
        bytes.writeImmutableBuffer(message.slice(paramsRange.upperBound..<message.bytes.readableBytes))
        sendOrHoldForClient(bytes, relatedTo: relatedClientRequest(at: upstream))
    }

    /// One of the upstream sessions this client used stopped: requests it sent to the client
    /// will never be answered upstream, so they are cancelled at the client.
    func connectionStopped(_ upstream: UpstreamConnection, error: UpstreamError) {
        if phase == .closing { return }
        let orphaned = state.withLockedValue { state -> [Int64] in
            let ids = state.serverRequests.filter { $0.value.connection === upstream }.map(\.key)
            for id in ids { state.serverRequests.removeValue(forKey: id) }
            return ids.sorted()
        }
        for id in orphaned {
            var params = Array(#"{"requestId":"#.utf8) + JSONRPCID.number(id).jsonBytes
            params += Array(#","reason":"#.utf8) + JSONString.encode("upstream '\(upstream.name)' stopped") + [UInt8(ascii: "}")]
            notifyClient(method: "notifications/cancelled", params: params)
        }
    }
}
