import JSONRPC
import NIOCore

/// Requests of the 2026-07-28 era: each carries its own envelope in `params._meta`
/// (`io.modelcontextprotocol/protocolVersion`, `clientCapabilities`, `clientInfo`) instead of
/// an `initialize` handshake. The session serves them statelessly: it checks the envelope,
/// takes it as the session's handshake when the client made none (a modern client never does),
/// answers `server/discover` itself, and shapes every answer for the modern era (`resultType`,
/// and `ttlMs`/`cacheScope` on lists and reads). The pipeline stages see the same calls as in
/// the handshake era.
extension ProxySession {
    /// The protocol versions the proxy serves without a handshake.
    static let modernVersions: [ProtocolVersion] = [.v2026_07_28]

    /// Handles a request whose envelope says it is modern. False when it is not one (the caller
    /// goes on as for any request).
    func handleModernRequest(_ message: JSONRPCMessage, method: MCPMethod, id: [UInt8], route: ReplyRoute) -> Bool {
        guard message.envelope.hasModernEnvelope, method != .initialize, case .direct = route else { return false }
        let envelope = ModernEnvelope.read(message)
        if let rejection = ModernValidation.check(envelope, supported: Self.modernVersions) {
            refuseModern(rejection, id: id)
            return true
        }
        if phase == .awaitingInitialize, !adoptModernEnvelope(envelope, in: message) {
            refuseModern(ModernRejection(code: .internalError, message: "the session could not start; send the request again"), id: id)
            return true
        }
        let logLevel = envelope.logLevel.flatMap { JSONView(message: message, range: $0.valueRange).string }.flatMap(LogSeverity.init(name:))
        let modern = ReplyRoute.modern(method, ModernClientAbilities(envelope: envelope, in: message), logLevel)
        switch method {
        case .serverDiscover:
            reply(JSONRPCEncoder.result(idBytes: id, result: discoverResult().encoded), modern)
        case .ping, .loggingSetLevel, .resourcesSubscribe, .resourcesUnsubscribe:
            // Removed in 2026-07-28 (logging is per request; subscriptions/listen replaces subscribe).
            refuseModern(ModernRejection(code: .methodNotFound, message: "Method not found", data: JSONString.encode(method.name)), id: id)
        case .subscriptionsListen:
            openListen(message, id: id)  // SessionListen.swift
        default:
            dispatchModern(message, method: method, id: id, route: modern)
        }
        return true
    }

    /// Routes a modern request like any other; its answer is shaped on the way out (``reply(_:_:)``).
    private func dispatchModern(_ message: JSONRPCMessage, method: MCPMethod, id: [UInt8], route: ReplyRoute) {
        switch method {
        case .toolsList: runPipeline(message, id: id, route: route, target: .local(.list(.tools)))
        case .promptsList: runPipeline(message, id: id, route: route, target: .local(.list(.prompts)))
        case .resourcesList: runPipeline(message, id: id, route: route, target: .local(.list(.resources)))
        case .resourcesTemplatesList: runPipeline(message, id: id, route: route, target: .local(.list(.resourceTemplates)))
        case .toolsCall:
            if endpoint?.discovery == .search {
                routeSearchEndpointCall(message, id: id, route: route)
            } else {
                routeByName(message, kind: .tools, id: id, route: route)
            }
        case .promptsGet: routeByName(message, kind: .prompts, id: id, route: route)
        case .resourcesRead: routeByURI(message, id: id, route: route)
        case .completionComplete: routeCompletion(message, id: id, route: route)
        default:
            if !routeTaskRequest(message, method: method, id: id, route: route) { routeByRule(message, method: method, id: id, route: route) }
        }
    }

    /// Takes the request's envelope as the session's handshake: the client's info, and the
    /// capabilities the proxy can honour for it. A handshake-era upstream's questions during a
    /// call (sampling, elicitation, roots) reach a modern client as `input_required`
    /// (SessionModernBridge.swift), so those its first request declares are declared upstream;
    /// each later request is held to what its own envelope declares.
    private func adoptModernEnvelope(_ envelope: ModernEnvelope, in message: JSONRPCMessage) -> Bool {
        let info = envelope.clientInfo(in: message) ?? Implementation(name: "modern-client", version: "0")
        var capabilities = ClientCapabilities()
        if let member = envelope.clientCapabilities, case .object(let raw) = JSONValue(JSONView(message: message, range: member.valueRange)) {
            capabilities = ClientCapabilities(raw: raw.filter { ["roots", "sampling", "elicitation"].contains($0.key) })
        }
        let params = InitializeParams(protocolVersion: ProtocolVersion.latestHandshake.rawValue, capabilities: capabilities, clientInfo: info)
        state.withLockedValue { $0.modernClient = true }
        guard takeHandshake(params, version: ProtocolVersion.negotiate(requested: params.protocolVersion, supported: options.supportedVersions),
                            phase: .ready) else {
            // Another request of the same client took it first.
            return phase.isServing
        }
        for service in services where !service.isShared && serves(service) { service.start(warm: false) }
        logger.info("serving a 2026-07-28 client", metadata: ["client": "\(info.name) \(info.version)"])
        return true
    }

    /// The `server/discover` result: what the proxy serves, merged from its upstreams as for
    /// `initialize`, with the versions it speaks.
    func discoverResult() -> JSONValue {
        guard case .object(var merged) = mergedInitializeResult(version: .latestHandshake) else { return .object([:]) }
        let serverInfo = merged.removeValue(forKey: "serverInfo") ?? .object([:])
        merged.removeValue(forKey: "protocolVersion")
        applyModernTaskCapabilities(&merged)  // SessionTasks.swift
        merged["supportedVersions"] = .array((Self.modernVersions + options.supportedVersions.reversed()).map { .string($0.rawValue) })
        merged["resultType"] = .string("complete")
        merged["ttlMs"] = .int(0)
        merged["cacheScope"] = .string("private")
        merged["_meta"] = .object([ModernMetaKey.serverInfo: serverInfo])
        return .object(merged)
    }

    /// An error of the modern ladder, with its HTTP status on HTTP fronts.
    private func refuseModern(_ rejection: ModernRejection, id: [UInt8]) {
        counters.errorsSent.increment()
        downstream.sendRefusal(rejection.response(idBytes: id), hint: MCPRefusal.HTTPHint(status: rejection.httpStatus))
    }

    /// A modern request's answer as the 2026-07-28 era wants it: `resultType` on every result,
    /// `ttlMs` and `cacheScope` on lists and reads, the proxy's `serverInfo` in `_meta`; errors
    /// keep their body and get their HTTP status.
    func sendModern(_ bytes: ByteBuffer, method: MCPMethod) {
        guard case .single(let message)? = try? scanner.scan(bytes) else {
            sendToClient(bytes)
            return
        }
        switch message.envelope.kind {
        case .successResponse:
            // A read the proxy serves per principal is private whatever the upstream said (ListCacheHints.swift).
            let perPrincipal = method == .resourcesRead && answersPerPrincipal
            sendToClient(ModernResultShaping.shaped(message, method: method, serverInfo: modernServerInfo, privateScope: perPrincipal))
        case .errorResponse:
            let code = message.envelope.errorCode.map(JSONRPCErrorCode.init(rawValue:)) ?? .internalError
            let status = ModernRejection.httpStatus(for: code)
            if status == 200 {
                sendToClient(bytes)
            } else {
                downstream.sendRefusal(bytes, hint: MCPRefusal.HTTPHint(status: status))
            }
        default:
            sendToClient(bytes)
        }
    }

    /// `{"name":…,"version":…}` of the proxy, for `_meta["io.modelcontextprotocol/serverInfo"]`.
    private var modernServerInfo: [UInt8] {
        JSONValue.object(["name": .string(options.serverName), "version": .string(options.serverVersion)]).encoded
    }
}
