import JSONRPC
import MCPPool
import MCPReliability
import MCPRouting
import MCPStats
import NIOConcurrencyHelpers
import NIOCore

/// Client requests: dispatch by method, then route and forward.
extension ProxySession {
    func handleRequest(_ message: JSONRPCMessage, route: ReplyRoute) {
        let envelope = message.envelope
        guard let method = envelope.method, let idRange = envelope.idRange else { return }
        let id = message.rawBytes(idRange)
        let phase = self.phase
        if !phase.isServing {
            switch (phase, method) {
            case (_, .ping):
                break
            case (.awaitingInitialize, .initialize):
                break
            case (.awaitingInitialize, _):
                replyError(route, id: id, code: .invalidRequest, message: "The session is not initialized: send initialize first")
                return
            case (.initializing, _):
                replyError(route, id: id, code: .invalidRequest, message: "initialize is still in progress: wait for its response")
                return
            default:
                replyError(route, id: id, code: .invalidRequest, message: method == .initialize ? "initialize was already received for this session" : "The session is closing")
                return
            }
        }
        switch method {
        case .initialize:
            runPipeline(message, id: id, route: route, target: .local(.initialize))
        case .ping:
            runPipeline(message, id: id, route: route, target: .local(.ping))
        case .toolsList:
            runPipeline(message, id: id, route: route, target: .local(.list(.tools)))
        case .promptsList:
            runPipeline(message, id: id, route: route, target: .local(.list(.prompts)))
        case .resourcesList:
            runPipeline(message, id: id, route: route, target: .local(.list(.resources)))
        case .resourcesTemplatesList:
            runPipeline(message, id: id, route: route, target: .local(.list(.resourceTemplates)))
        case .toolsCall:
            if endpoint?.discovery == .search {
                routeSearchEndpointCall(message, id: id, route: route)  // SessionToolSearch.swift
            } else {
                routeByName(message, kind: .tools, id: id, route: route)
            }
        case .promptsGet:
            routeByName(message, kind: .prompts, id: id, route: route)
        case .resourcesRead, .resourcesSubscribe, .resourcesUnsubscribe:
            routeByURI(message, id: id, route: route)
        case .completionComplete:
            routeCompletion(message, id: id, route: route)
        case .loggingSetLevel:
            runPipeline(message, id: id, route: route, target: .local(.setLevel))
        default:
            routeByRule(message, method: method, id: id, route: route)
        }
    }

    // MARK: Routing

    /// tools/call and prompts/get: the exposed name resolves to an upstream and its original name.
    func routeByName(_ message: JSONRPCMessage, kind: ListKind, id: [UInt8], route: ReplyRoute, retried: Bool = false) {
        let envelope = message.envelope
        guard let name = envelope.name, let nameRange = envelope.nameRange else {
            replyError(route, id: id, code: .invalidParams, message: "params.name is required and must be a string")
            return
        }
        let lookup = resolveOrLoad([kind], message: message, route: route, retried: retried) {
            self.resolveName(kind, name)
        } retry: {
            self.routeByName(message, kind: kind, id: id, route: route, retried: true)
        }
        guard case .found(let entry) = lookup else {
            if case .missing = lookup {
                if kind == .tools, refuseQuarantinedTool(named: name, id: id, route: route) { return }
                let what = kind == .tools ? "tool" : "prompt"
                replyError(route, id: id, code: .invalidParams, message: "Unknown \(what): '\(name)'. Use \(kind.method) to see what is available"
                           + (credentialFailure(for: name).map { "; \($0)" } ?? ""))
            }
            return
        }
        let edits = entry.original == name ? [] : [ByteSplice(range: nameRange, replacement: entry.originalJSON)]
        // At an endpoint the stages see the name at /mcp, so a rename never opens a hole.
        routeToUpstream(message, id: id, route: route, index: entry.upstream, edits: edits, series: entry.series,
                        rewritesURIs: options.rewriteResourceURIs, tool: kind == .tools ? entry.original : nil,
                        repeatable: kind == .tools ? entry.repeatable : true, exposedName: endpoint == nil ? nil : entry.exposed)
    }

    /// resources/read, subscribe and unsubscribe: the URI's owner.
    func routeByURI(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute, retried: Bool = false) {
        let envelope = message.envelope
        guard let uri = envelope.uri, let uriRange = envelope.uriRange, let method = envelope.method else {
            replyError(route, id: id, code: .invalidParams, message: "params.uri is required and must be a string")
            return
        }
        let lookup = resolveOrLoad([.resources, .resourceTemplates], message: message, route: route, retried: retried) {
            self.resourceTarget(for: uri)
        } retry: {
            self.routeByURI(message, id: id, route: route, retried: true)
        }
        guard case .found(let target) = lookup else {
            if case .missing = lookup {
                replyError(route, id: id, code: .resourceNotFound, message: "Resource not found: '\(uri)' belongs to no upstream",
                           data: Array(#"{"uri":"#.utf8) + JSONString.encode(uri) + [UInt8(ascii: "}")])
            }
            return
        }
        let upstream = services[target.upstream]
        var subscription: (uri: String, subscribe: Bool)?
        if method == .resourcesSubscribe || method == .resourcesUnsubscribe {
            guard upstream.initializeResult?.capabilities.resourcesSubscribe ?? true else {
                replyError(route, id: id, code: .methodNotFound, message: "Upstream '\(upstream.name)' does not support resource subscriptions")
                return
            }
            subscription = (uri, method == .resourcesSubscribe)
        }
        let edits = target.uri == uri ? [] : [ByteSplice(range: uriRange, replacement: JSONString.encode(target.uri))]
        let series = stats.requestSeries(upstream: upstream.name, method: method.name, tool: nil)
        routeToUpstream(message, id: id, route: route, index: target.upstream, edits: edits, series: series,
                        rewritesURIs: options.rewriteResourceURIs, subscription: subscription)
    }

    /// completion/complete: by the prompt name or resource URI in `ref`.
    func routeCompletion(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute, retried: Bool = false) {
        let envelope = message.envelope
        let series: (String) -> RequestSeries = { self.stats.requestSeries(upstream: $0, method: "completion/complete", tool: nil) }
        if let name = envelope.refName, let range = envelope.refNameRange {
            let lookup = resolveOrLoad([.prompts], message: message, route: route, retried: retried) {
                self.resolveName(.prompts, name)
            } retry: {
                self.routeCompletion(message, id: id, route: route, retried: true)
            }
            guard case .found(let entry) = lookup else {
                if case .missing = lookup {
                    replyError(route, id: id, code: .invalidParams, message: "Unknown prompt in ref: '\(name)'")
                }
                return
            }
            let upstream = services[entry.upstream]
            let edits = entry.original == name ? [] : [ByteSplice(range: range, replacement: JSONString.encode(entry.original))]
            routeToUpstream(message, id: id, route: route, index: upstream.index, edits: edits, series: series(upstream.name))
        } else if let uri = envelope.refURI, let range = envelope.refURIRange {
            let lookup = resolveOrLoad([.resources, .resourceTemplates], message: message, route: route, retried: retried) {
                self.resourceTarget(for: uri)
            } retry: {
                self.routeCompletion(message, id: id, route: route, retried: true)
            }
            guard case .found(let target) = lookup else {
                if case .missing = lookup {
                    replyError(route, id: id, code: .invalidParams, message: "Unknown resource in ref: '\(uri)'")
                }
                return
            }
            let upstream = services[target.upstream]
            let edits = target.uri == uri ? [] : [ByteSplice(range: range, replacement: JSONString.encode(target.uri))]
            routeToUpstream(message, id: id, route: route, index: upstream.index, edits: edits, series: series(upstream.name))
        } else {
            replyError(route, id: id, code: .invalidParams, message: "params.ref must name a prompt (ref/prompt with name) or a resource (ref/resource with uri)")
        }
    }

    /// Methods the proxy does not know: forwarded only where a route rule sends them.
    func routeByRule(_ message: JSONRPCMessage, method: MCPMethod, id: [UInt8], route: ReplyRoute) {
        let decision = options.routes?.decide(method: method.name, name: message.envelope.name, upstream: nil)
        guard case .route(let upstreamName)? = decision, let upstream = services.first(where: { $0.name == upstreamName }), serves(upstream) else {
            replyError(route, id: id, code: .methodNotFound, message: "Method not found: '\(method.name)'")
            return
        }
        let series = stats.requestSeries(upstream: upstream.name, method: method.name, tool: nil)
        routeToUpstream(message, id: id, route: route, index: upstream.index, edits: [], series: series)
    }

    /// Routes a request after some asynchronous `work` (a catalog load, an upstream start),
    /// unless the client cancels it meanwhile: then it is dropped without a response.
    func routeLater(
        _ message: JSONRPCMessage, route: ReplyRoute, after work: @escaping @Sendable () async -> Void,
        then body: @escaping @Sendable () -> Void, cancelled: (@Sendable () -> Void)? = nil
    ) {
        guard let clientID = message.envelope.id else { return }
        state.withLockedValue { _ = $0.routing.insert(clientID) }
        runTask {
            await work()
            let proceed = self.state.withLockedValue { $0.routing.remove(clientID) != nil }
            if proceed {
                body()
            } else {
                cancelled?()
                if case .batch(let collector) = route, let all = collector.skip() {
                    self.sendToClient(all)
                }
            }
        }
    }

    /// What a name or URI lookup came to.
    enum Lookup<Found> {
        case found(Found)
        /// Not found yet; lists are loading and the request will be routed again.
        case loading
        /// Not found, and every list it could be in is loaded.
        case missing
    }

    /// Looks something up in the catalog; on a miss while some of `kinds` are not loaded yet,
    /// loads them and calls `retry` once (the request stays cancellable meanwhile).
    func resolveOrLoad<Found>(
        _ kinds: [ListKind], message: JSONRPCMessage, route: ReplyRoute, retried: Bool,
        lookup: () -> Found?, retry: @escaping @Sendable () -> Void
    ) -> Lookup<Found> {
        if let found = lookup() { return .found(found) }
        guard !retried, !kinds.allSatisfy(allListsLoaded) else { return .missing }
        routeLater(message, route: route, after: {
            for kind in kinds { await self.loadLists(kind) }
        }, then: retry)
        return .loading
    }

    /// The upstream that owns a URI: from the catalog, else the only upstream serving resources.
    func resourceTarget(for uri: String) -> (upstream: Int, uri: String)? {
        guard let target = catalog.resourceTarget(for: uri) ?? soleResourceUpstream().map({ ($0, uri) }) else { return nil }
        // At an endpoint, a URI it filters out (or of a server not behind it) belongs to nobody.
        return endpointAdmitsResource(uri, upstream: target.upstream) ? target : nil
    }

    /// When exactly one upstream serves resources, unknown URIs (e.g. from templates it did not list) go there.
    func soleResourceUpstream() -> Int? {
        let candidates = services.filter { $0.initializeResult?.capabilities.resources == true && serves($0) }
        return candidates.count == 1 ? candidates[0].index : nil
    }

    // MARK: Forwarding

    /// Sends a client request upstream with the proxy's id (and progress token), remembering how
    /// to answer. It takes a session of the upstream's pool (exclusively for a tool call of a
    /// client that may be asked for sampling, elicitation or roots) and a bulkhead permit; when
    /// neither is at hand at once it waits for them, within the request's deadline.
    func forward(_ message: JSONRPCMessage, target: UpstreamRoute, edits: [ByteSplice], context: ProxyRequestContext, id: [UInt8], route: ReplyRoute, attempt: Int = 1, receivedAt: UInt64? = nil) {
        guard let method = message.envelope.method else { return }
        let service = services[target.index]
        let now = MonotonicClock.now()
        let startedAt = receivedAt ?? now
        let timeout = service.policy.timeout(tool: target.tool, default: options.requestTimeout)
        let deadline = startedAt &+ MonotonicClock.nanoseconds(timeout)
        let mode: LeaseMode = method == .toolsCall && service.needsExclusiveLease(clientCapabilities) ? .exclusive : .shared
        let permitted = service.bulkhead?.tryAcquire() ?? true
        if permitted, let lease = service.tryLease(mode, for: self) {
            send(message, lease: lease.holdingPermit(service.bulkhead != nil), target: target, edits: edits, context: context, id: id, route: route,
                 startedAt: startedAt, deadline: deadline, attempt: attempt)
            return
        }
        service.metrics.waits.increment()
        let outcome = NIOLockedValueBox<Result<UpstreamLease, UpstreamError>?>(nil)
        routeLater(message, route: route) {
            let remaining = Duration.nanoseconds(Int64(clamping: deadline &- min(deadline, MonotonicClock.now())))
            var holdsPermit = permitted
            if !holdsPermit, let bulkhead = service.bulkhead {
                switch await bulkhead.acquire(timeout: remaining) {
                case .acquired:
                    holdsPermit = true
                case .queueFull(let limit):
                    service.metrics.bulkheadRejected.increment()
                    outcome.withLockedValue { $0 = .failure(UpstreamError(.unavailable, upstream: service.name, message: "it already has \(bulkhead.maxConcurrent) requests in flight and \(limit) waiting (maxConcurrent, maxQueued); try again shortly")) }
                    return
                case .timedOut(let after):
                    service.metrics.bulkheadRejected.increment()
                    outcome.withLockedValue { $0 = .failure(UpstreamError(.timeout, upstream: service.name, message: "no request slot became free within \(after) (maxConcurrent \(bulkhead.maxConcurrent))")) }
                    return
                }
            }
            let leased = await service.lease(mode, for: self, timeout: Duration.nanoseconds(Int64(clamping: deadline &- min(deadline, MonotonicClock.now()))))
            if case .failure = leased, holdsPermit, service.bulkhead != nil { service.bulkhead?.release() }
            outcome.withLockedValue { $0 = leased.map { $0.holdingPermit(holdsPermit && service.bulkhead != nil) } }
        } then: {
            switch outcome.withLockedValue({ $0 }) {
            case .success(let lease)?:
                self.send(message, lease: lease, target: target, edits: edits, context: context, id: id, route: route,
                          startedAt: startedAt, deadline: deadline, attempt: attempt)
            case .failure(let error)?:
                self.finishUnforwarded(method: method, context: context)
                self.replyError(route, id: id, code: error.code, message: "Upstream '\(error.upstream)' is unavailable: \(error.message)")
            case nil:
                self.finishUnforwarded(method: method, context: context)
                self.replyError(route, id: id, code: .connectionClosed, message: "Upstream '\(service.name)' is unavailable")
            }
        } cancelled: {
            if case .success(let lease)? = outcome.withLockedValue({ $0 }) {
                service.release(lease, signal: nil)
            }
        }
    }

    /// Writes a request on a leased upstream session.
    private func send(
        _ message: JSONRPCMessage, lease: UpstreamLease, target: UpstreamRoute, edits: [ByteSplice], context: ProxyRequestContext,
        id: [UInt8], route: ReplyRoute, startedAt: UInt64, deadline: UInt64, attempt: Int
    ) {
        let envelope = message.envelope
        let upstream = lease.connection
        let service = services[target.index]
        guard let method = envelope.method, let clientID = envelope.id, let idRange = envelope.idRange, let upstreamID = upstream.reserveID() else {
            service.release(lease, signal: .transportFailure)
            replyError(route, id: id, code: .connectionClosed, message: "Upstream '\(upstream.name)' is unavailable")
            return
        }
        let upstreamIDBytes = JSONRPCID.number(upstreamID).jsonBytes
        var allEdits = edits
        allEdits.append(ByteSplice(range: idRange, replacement: upstreamIDBytes))
        var clientToken: [UInt8]?
        if let tokenRange = envelope.progressTokenRange {
            clientToken = message.rawBytes(tokenRange)
            allEdits.append(ByteSplice(range: tokenRange, replacement: upstreamIDBytes))
        }
        let retry = service.policy.retry
        let replay: RequestReplay? = attempt < retry.attempts && target.repeatable
            ? RequestReplay(message: message, target: target, edits: edits, attempt: attempt) : nil
        if attempt == 1 { service.retryBudget.recordRequest() }
        let request = ForwardedRequest(
            owner: self,
            clientIDBytes: id,
            clientID: clientID,
            clientProgressToken: clientToken,
            reply: route,
            method: method,
            context: context,
            startedAt: startedAt,
            deadline: deadline,
            rewritesURIs: target.rewritesURIs,
            lease: lease,
            replay: replay)
        let duplicate = state.withLockedValue { state -> Bool in
            if attempt == 1, state.inflight[clientID] != nil || state.routing.contains(clientID) { return true }
            state.inflight[clientID] = (upstream, upstreamID)
            return false
        }
        if duplicate {
            service.release(lease, signal: nil)
            replyError(route, id: id, code: .invalidRequest, message: "Request id \(clientID) is already in use by a request in flight; ids must be unique")
            return
        }
        if !upstream.forward(message.splicing(allEdits), id: upstreamID, request: request) {
            state.withLockedValue { _ = $0.inflight.removeValue(forKey: clientID) }
            if retryIfPossible(request, error: UpstreamError(.unavailable, upstream: upstream.name, message: "its session closed")) { return }
            complete(request, outcome: .upstreamUnavailable, now: MonotonicClock.now())
            replyError(route, id: id, code: .connectionClosed, message: "Upstream '\(upstream.name)' is unavailable")
        }
    }

    /// Sends a request that failed in transport again (another session, or another replica),
    /// after a backoff, if it is safe to repeat, attempts remain, the retry budget allows it and
    /// its deadline has not passed. The lease it held is given back first. True: it was retried.
    func retryIfPossible(_ request: ForwardedRequest, error: UpstreamError) -> Bool {
        guard let replay = request.replay else { return false }
        let service = services[replay.target.index]
        guard request.deadline > MonotonicClock.now(), service.retryBudget.tryWithdraw() else { return false }
        service.release(request.lease, signal: .transportFailure)
        service.metrics.retries.increment()
        var generator = SystemRandomNumberGenerator()
        let delay = service.policy.retry.delay(beforeRetry: replay.attempt, using: &generator)
        logger.info("retrying after a transport failure", metadata: ["upstream": "\(service.name)", "attempt": "\(replay.attempt + 1)", "error": "\(error.message)"])
        state.withLockedValue { _ = $0.inflight.removeValue(forKey: request.clientID) }
        routeLater(replay.message, route: request.reply) {
            try? await Task.sleep(for: delay)
        } then: {
            self.forward(replay.message, target: replay.target, edits: replay.edits, context: request.context, id: request.clientIDBytes,
                         route: request.reply, attempt: replay.attempt + 1, receivedAt: request.startedAt)
        }
        return true
    }

    /// Tells the stages that a request the chain let through never reached its upstream.
    private func finishUnforwarded(method: MCPMethod, context: ProxyRequestContext) {
        let now = MonotonicClock.now()
        finished(MCPCallSummary(method: method, receivedAt: now, latencyNanoseconds: 0), context: context, outcome: .upstreamUnavailable)
    }

    /// The client's declared capabilities.
    var clientCapabilities: ClientCapabilities { state.withLockedValue { $0.clientCapabilities } }

    // MARK: Responses from upstreams

    func upstream(_ upstream: UpstreamConnection, answered request: ForwardedRequest, with message: JSONRPCMessage) {
        state.withLockedValue { _ = $0.inflight.removeValue(forKey: request.clientID) }
        guard let idRange = message.envelope.idRange else { return }
        var edits = [ByteSplice(range: idRange, replacement: request.clientIDBytes)]
        if request.rewritesURIs, let resultRange = message.envelope.resultRange {
            edits += URIRewriter.edits(inResult: JSONView(message: message, range: resultRange)) { self.catalog.exposedURI($0, upstream: upstream.index) }
        }
        let outcome: MCPOutcome = message.envelope.kind == .errorResponse
            ? .error(code: message.envelope.errorCode ?? JSONRPCErrorCode.internalError.rawValue) : .success
        let answer = message.splicing(edits)
        if let resultGuard = options.resultGuard, outcome == .success, let call = request.context.attachments[GovernedCall.self] {
            // Result guards or a policy hook's response phase (Governance/SessionGovernance.swift).
            guardAnswer(answer, request: request, guard: resultGuard, call: call)
            return
        }
        complete(request, outcome: outcome, now: MonotonicClock.now(), responseBytes: answer.readableBytes)
        reply(answer, request.reply)
    }

    func upstream(_ upstream: UpstreamConnection, progress message: JSONRPCMessage, for request: ForwardedRequest) {
        guard let token = request.clientProgressToken, let range = message.envelope.progressTokenRange else { return }
        sendToClient(message.splicing(range, with: token), relatedTo: request.clientID)
    }

    func upstream(_ upstream: UpstreamConnection, abandoned requests: [ForwardedRequest], error: UpstreamError) {
        let remaining = requests.filter { !retryIfPossible($0, error: error) }
        state.withLockedValue { state in
            for request in remaining { state.inflight.removeValue(forKey: request.clientID) }
        }
        let now = MonotonicClock.now()
        for request in remaining {
            complete(request, outcome: .upstreamUnavailable, now: now)
            replyError(request.reply, id: request.clientIDBytes, code: error.code,
                       message: "Upstream '\(upstream.name)' failed before answering: \(error.message)")
        }
    }
}
