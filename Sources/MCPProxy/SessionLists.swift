import JSONRPC
import MCPRouting

/// Merged, paginated lists and the `logging/setLevel` fan-out.
extension ProxySession {
    /// Whether every upstream that can serve and offers `kind` has its list loaded.
    func allListsLoaded(_ kind: ListKind) -> Bool {
        services.allSatisfy { service in
            // Unavailable upstreams have nothing to load; nor have those not behind the endpoint.
            if service.isUnavailable || !serves(service) { return true }
            guard let result = service.initializeResult else {
                // Lazy ones that never started do, once the client has initialized.
                return state.withLockedValue { $0.handshake == nil }
            }
            return !kind.isOffered(by: result.capabilities) || catalog.isLoaded(kind, upstream: service.index)
        }
    }

    /// Starts lazy upstreams and fetches every missing list of `kind`, following upstream cursors.
    func loadLists(_ kind: ListKind) async {
        await withTaskGroup(of: Void.self) { group in
            for upstream in services {
                if upstream.isUnavailable || !serves(upstream) { continue }
                group.addTask {
                    guard case .success(let result) = await upstream.ready(timeout: self.options.initializeTimeout) else { return }
                    TaskIDRewriter.note(result.capabilities)  // SessionTasks.swift: task answers are looked at from now on
                    guard kind.isOffered(by: result.capabilities),
                          !self.catalog.isLoaded(kind, upstream: upstream.index) else { return }
                    await self.fetchList(kind, from: upstream)
                }
            }
        }
    }

    private func fetchList(_ kind: ListKind, from upstream: UpstreamService) async {
        let version = catalog.version(kind, upstream: upstream.index)
        var items: [CatalogItem] = []
        var hint: CacheHint?
        var cursor: String?
        for _ in 0..<1000 {
            let params: [UInt8]? = cursor.map { Array(#"{"cursor":"#.utf8) + JSONString.encode($0) + [UInt8(ascii: "}")] }
            switch await upstream.request(method: kind.method, params: params, timeout: options.requestTimeout) {
            case .failure(let error):
                logger.warning("could not list \(kind.resultKey): \(error)")
                return
            case .success(let response):
                guard let range = response.envelope.resultRange else { return }
                let result = JSONView(message: response, range: range)
                guard let page = CatalogItem.items(of: result, kind: kind) else {
                    logger.warning("upstream '\(upstream.name)' answered \(kind.method) without a \(kind.resultKey) array")
                    return
                }
                items += page
                if let pageHint = ListCacheHints.hint(ofPage: result) { hint = hint.map { $0.combined(with: pageHint) } ?? pageHint }
                cursor = result["nextCursor"]?.string
                if cursor == nil {
                    catalog.cacheHints.record(kind, upstream: upstream.index, hint: hint)  // ListCacheHints.swift
                    catalog.store(kind, upstream: upstream.index, items: items, version: version)
                    return
                }
            }
        }
        logger.warning("upstream '\(upstream.name)' returned more than 1000 pages of \(kind.resultKey); keeping what was read")
        catalog.cacheHints.record(kind, upstream: upstream.index, hint: hint)
        catalog.store(kind, upstream: upstream.index, items: items, version: version)
    }

    func handleList(_ kind: ListKind, message: JSONRPCMessage, id: [UInt8], route: ReplyRoute, principal: Principal) async {
        if kind == .tools, endpoint?.discovery == .search {
            replySearchToolList(id: id, route: route)  // SessionToolSearch.swift
            return
        }
        var offset = 0
        if let paramsRange = message.envelope.paramsRange, let cursorView = JSONView(message: message, range: paramsRange)["cursor"] {
            guard let text = cursorView.string, let cursor = cursors.decode(text, list: kind.resultKey) else {
                replyError(route, id: id, code: .invalidParams, message: "Invalid cursor for \(kind.method): pass back a nextCursor exactly as received, or omit it")
                return
            }
            offset = cursor.offset
        }
        if !allListsLoaded(kind) { await loadLists(kind) }
        if let list = endpointList(kind) {
            replyEndpointList(kind, list: list, offset: offset, id: id, route: route, principal: principal)
            return
        }
        let merged = catalog.merged(kind)
        // Filter before paging, so offsets in cursors count only what this principal sees.
        let entries: [MergedEntry]
        if let visibility {
            let itemKind = kind.itemKind
            entries = merged.entries.filter { visibility.isVisible(principal, kind: itemKind, name: $0.exposed) }
        } else {
            entries = merged.entries
        }
        replyPage(kind, items: entries.map(\.bytes), generation: merged.generation, offset: offset, id: id, route: route)
    }

    /// Answers a list request with one page of `items` (each an item's JSON), and a cursor to
    /// the next page when there is one.
    func replyPage(_ kind: ListKind, items: [[UInt8]], generation: UInt64, offset: Int, id: [UInt8], route: ReplyRoute) {
        let pageSize = options.pageSize > 0 ? options.pageSize : max(items.count, 1)
        let start = min(offset, items.count)
        let end = min(start + pageSize, items.count)
        var result: [UInt8] = [UInt8(ascii: "{")]
        JSONString.append(kind.resultKey, to: &result)
        result += [UInt8(ascii: ":"), UInt8(ascii: "[")]
        for (position, item) in items[start..<end].enumerated() {
            if position > 0 { result.append(UInt8(ascii: ",")) }
            result += item
        }
        result.append(UInt8(ascii: "]"))
        if end < items.count {
            result += Array(#","nextCursor":"#.utf8)
            JSONString.append(cursors.encode(CatalogCursor(generation: generation, offset: end, list: kind.resultKey)), to: &result)
        }
        result += cacheHintMembers(kind, route: route)  // 2026-07-28 clients only (ListCacheHints.swift)
        result.append(UInt8(ascii: "}"))
        replyResult(route, id: id, result: result)
    }

    func handleSetLevel(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute) async {
        guard let paramsRange = message.envelope.paramsRange,
              let level = JSONView(message: message, range: paramsRange)["level"],
              let name = level.string,
              ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"].contains(name)
        else {
            replyError(route, id: id, code: .invalidParams, message: "params.level must be one of debug, info, notice, warning, error, critical, alert, emergency")
            return
        }
        let levelBytes = level.rawBytes
        state.withLockedValue { $0.logLevel = LogSeverity(name: name) }
        let params = Array(#"{"level":"#.utf8) + levelBytes + [UInt8(ascii: "}")]
        // Shared upstream sessions keep their own level; this client's level filters what it gets.
        for upstream in services where !upstream.isShared { upstream.rememberLogLevel(levelBytes) }
        await withTaskGroup(of: Void.self) { group in
            for upstream in services where !upstream.isShared && upstream.initializeResult?.capabilities.logging == true {
                group.addTask {
                    if case .failure(let error) = await upstream.request(method: "logging/setLevel", params: params, timeout: self.options.requestTimeout) {
                        self.logger.warning("logging/setLevel not applied: \(error)")
                    }
                }
            }
        }
        replyResult(route, id: id, result: Array("{}".utf8))
    }
}
