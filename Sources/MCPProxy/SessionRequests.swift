import JSONRPC
import MCPPool
import MCPReliability
import MCPRouting
import MCPStats
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Client requests: dispatch by method, then route and forward.
extension ProxySession {
    func handleRequest(_ message: JSONRPCMessage, route: ReplyRoute) {
        let envelope = message.envelope
        guard let method = envelope.method, let idRange = envelope.idRange else { return }
        // Counted before the phase is read; finish() sets the phase before it reads the count.
        requestsArriving.add(1, ordering: .sequentiallyConsistent)
        defer { requestsArriving.subtract(1, ordering: .sequentiallyConsistent) }
        let (phase, handedOff) = state.withLockedValue { ($0.phase, $0.handedOff) }
        if handedOff, let successor = relay.session, successor !== self {
            // It reached this session while a reload was moving the client (SessionHandoff.swift):
            // the session serving the client now takes it.
            successor.handleRequest(message, route: route)
            return
        }
        let id = message.rawBytes(idRange)
        if message.envelope.hasModernEnvelope, handleModernRequest(message, method: method, id: id, route: route) { return }
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
            if !routeTaskRequest(message, method: method, id: id, route: route) { routeByRule(message, method: method, id: id, route: route) }  // SessionTasks.swift
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

    /// Looks something up in the catalog; on a miss while some of `kinds` are not loaded yet,
    /// loads them and calls `retry` once (the request stays cancellable meanwhile).
    func resolveOrLoad<Found>(
        _ kinds: [ListKind], message: JSONRPCMessage, route: ReplyRoute, retried: Bool,
        lookup: () -> Found?, retry: @escaping @Sendable () -> Void
    ) -> CatalogLookup<Found> {
        let outcome = CatalogLookup.resolve(lookup: lookup, loaded: { kinds.allSatisfy(allListsLoaded) }, retried: retried)
        if case .loading = outcome {
            routeLater(message, route: route, after: {
                for kind in kinds { await self.loadLists(kind) }
            }, then: retry)
        }
        return outcome
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
}
