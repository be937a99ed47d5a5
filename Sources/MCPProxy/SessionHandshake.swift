import JSONRPC
import NIOConcurrencyHelpers

/// The client's `initialize`: version negotiation, upstream handshakes and merged capabilities.
extension ProxySession {
    /// Synchronous part of the client's `initialize`: validates it and moves the session to
    /// `.initializing`, so messages that follow it are queued in order until it is answered.
    func beginInitialize(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute) {
        guard let paramsRange = message.envelope.paramsRange,
              let params = InitializeParams.decode(from: JSONView(message: message, range: paramsRange))
        else {
            replyError(route, id: id, code: .invalidParams, message: "initialize needs params with protocolVersion (string), capabilities (object) and clientInfo (name, version)")
            return
        }
        let version = ProtocolVersion.negotiate(requested: params.protocolVersion, supported: options.supportedVersions)
        guard takeHandshake(params, version: version, phase: .initializing) else {
            replyError(route, id: id, code: .invalidRequest, message: "initialize was already received for this session")
            return
        }
        logger.info("client initializing", metadata: [
            "client": "\(params.clientInfo.name) \(params.clientInfo.version)",
            "requested": "\(params.protocolVersion)", "negotiated": "\(version.rawValue)",
        ])
        runTask { await self.completeInitialize(version: version, id: id, route: route) }
    }

    /// Records the client's handshake and moves on to `phase`, once: false when the session is
    /// no longer waiting for one.
    func takeHandshake(_ params: InitializeParams, version: ProtocolVersion, phase: Phase) -> Bool {
        let handshake = Self.upstreamHandshake(for: params, options: options)
        return state.withLockedValue { state -> Bool in
            guard state.phase == .awaitingInitialize else { return false }
            state.phase = phase
            state.version = version
            state.clientCapabilities = params.capabilities
            state.handshake = handshake
            state.client = "\(params.clientInfo.name) \(params.clientInfo.version)"
            return true
        }
    }

    /// Starts this session's own eager upstreams (shared ones are warm already: it waits only
    /// for those still starting for the first time, briefly), answers, then serves what queued.
    private func completeInitialize(version: ProtocolVersion, id: [UInt8], route: ReplyRoute) async {
        for service in services where !service.isShared && serves(service) { service.start(warm: false) }
        // The answer waits for upstreams still starting only within `warmupWait` of their
        // start: a sick upstream never holds up new sessions for longer. Per-session ones go on
        // opening in the background; lists and calls wait for them within their own deadlines.
        let eager = services.filter { $0.definition.startup == .eager && serves($0) }
        var opening: [(UpstreamService, NIOLockedValueBox<Bool>)] = []
        for service in eager where !service.isShared {
            let done = NIOLockedValueBox(false)
            opening.append((service, done))
            runTask {
                if case .failure(let error) = await service.ready(timeout: self.options.initializeTimeout) {
                    self.logger.error("upstream unavailable: \(error)")
                }
                done.withLockedValue { $0 = true }
            }
        }
        let clock = ContinuousClock()
        for service in eager {
            let deadline = service.startedAt + options.warmupWait
            let done = opening.first { $0.0 === service }?.1
            while clock.now < deadline {
                if let done {
                    if done.withLockedValue({ $0 }) { break }
                } else if !service.isWarmingUp {
                    break
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        state.withLockedValue { state in
            if state.phase == .initializing { state.phase = .draining }
        }
        replyResult(route, id: id, result: mergedInitializeResult(version: version).encoded)
        releaseHeldForClient()
        // Drain in arrival order; the phase stays `.draining` until the queue is empty so
        // nothing that arrives meanwhile can overtake what was queued before it.
        while true {
            let queued = state.withLockedValue { state -> [DeferredInput] in
                if state.deferred.isEmpty {
                    if state.phase == .draining { state.phase = .ready }
                    return []
                }
                defer { state.deferred.removeAll() }
                return state.deferred
            }
            if queued.isEmpty { break }
            for input in queued {
                switch input {
                case .message(let message, let route): dispatch(message, route: route)
                case .batch(let elements): handleBatch(elements, fromQueue: true)
                }
            }
        }
    }

    /// What the proxy declares upstream: never a client capability the client lacks, and only
    /// those it can route back (roots, sampling, elicitation).
    static func upstreamHandshake(for params: InitializeParams, options: ProxyOptions) -> UpstreamHandshake {
        var capabilities: [String: JSONValue] = [:]
        for key in ["roots", "sampling", "elicitation"] {
            if let value = params.capabilities.raw[key] { capabilities[key] = value }
        }
        return UpstreamHandshake.make(capabilities: capabilities, title: "\(params.clientInfo.name) via \(options.serverName)", options: options)
    }

    /// The downstream initialize result: the union of what the ready upstreams offer, limited to
    /// what the proxy routes, and their instructions under their names.
    func mergedInitializeResult(version: ProtocolVersion) -> JSONValue {
        let ready = services.compactMap { service in serves(service) ? service.initializeResult.map { (service, $0) } : nil }
        // Upstreams not started yet (lazy, or shared ones still starting) may offer anything.
        let anyLazy = services.contains { service in
            serves(service) && service.initializeResult == nil && !service.isUnavailable && (service.definition.startup == .lazy || service.isShared)
        }
        var capabilities: [String: JSONValue] = [:]
        let listChanged: JSONValue = .object(["listChanged": .bool(true)])
        if anyLazy || ready.contains(where: { $0.1.capabilities.tools }) { capabilities["tools"] = listChanged }
        if anyLazy || ready.contains(where: { $0.1.capabilities.prompts }) { capabilities["prompts"] = listChanged }
        if anyLazy || ready.contains(where: { $0.1.capabilities.resources }) {
            let subscribe = ready.contains { $0.1.capabilities.resourcesSubscribe }
            capabilities["resources"] = .object(["listChanged": .bool(true), "subscribe": .bool(subscribe)])
        }
        if anyLazy || ready.contains(where: { $0.1.capabilities.logging }) { capabilities["logging"] = .object([:]) }
        if anyLazy || ready.contains(where: { $0.1.capabilities.completions }) { capabilities["completions"] = .object([:]) }
        addHandshakeTaskCapability(&capabilities, upstreams: ready.map(\.1.capabilities))  // SessionTasks.swift

        var sections: [String] = []
        if let own = endpoint?.instructions {
            // An endpoint's own instructions replace the proxy's and the upstreams'.
            if !own.isEmpty { sections.append(own) }
        } else if let own = options.instructions, !own.isEmpty { sections.append(own) }
        for (upstream, result) in ready where endpoint?.instructions == nil {
            if let text = result.instructions, !text.isEmpty {
                sections.append("## \(upstream.name)\n\(text)")
            }
        }
        var result: [String: JSONValue] = [
            "protocolVersion": .string(version.rawValue),
            "capabilities": .object(capabilities),
            "serverInfo": .object(["name": .string(options.serverName), "version": .string(options.serverVersion)]),
        ]
        if !sections.isEmpty { result["instructions"] = .string(sections.joined(separator: "\n\n")) }
        return .object(result)
    }
}
