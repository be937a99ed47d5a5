import JSONRPC
import MCPRouting

/// A session opened on a virtual endpoint (``EndpointView``): its lists are the endpoint's view
/// of the merged catalog, and names resolve through it. With no endpoint every function here is
/// the main path's behaviour after one nil check.
extension ProxySession {
    /// Whether `service` is behind this session's endpoint (always, without one).
    @inline(__always)
    func serves(_ service: UpstreamService) -> Bool {
        guard let endpoint else { return true }
        return endpoint.serves(service.name)
    }

    /// The endpoint's view of the merged list of `kind`; nil without an endpoint.
    func endpointList(_ kind: ListKind) -> EndpointList? {
        guard let endpoint else { return nil }
        return catalog.endpointLists.list(kind, view: endpoint, merged: catalog.merged(kind), upstreamNames: services.map(\.name), logger: logger)
    }

    /// The item a client's tool or prompt name stands for: at an endpoint, its name there (a name
    /// it filters out, or of a server not behind it, is unknown, as if it did not exist).
    func resolveName(_ kind: ListKind, _ name: String) -> MergedEntry? {
        guard let list = endpointList(kind) else { return catalog.resolve(kind, exposed: name) }
        return list.byName[name].map { list.entries[$0].merged }
    }

    /// Whether this session's endpoint lets a client reach `uri` at upstream `index`.
    func endpointAdmitsResource(_ uri: String, upstream index: Int) -> Bool {
        guard let endpoint else { return true }
        return endpoint.serves(services[index].name) && endpoint.resources.permits(uri)
    }

    /// The items of `kind` the principal sees at this endpoint, in list order (the per-principal
    /// visibility applies to their names at `/mcp`). Loads missing lists first.
    func endpointEntries(_ kind: ListKind, principal: Principal) async -> [EndpointList.Entry] {
        if !allListsLoaded(kind) { await loadLists(kind) }
        guard let list = endpointList(kind) else { return [] }
        guard let visibility else { return list.entries }
        let itemKind = kind.itemKind
        return list.entries.filter { visibility.isVisible(principal, kind: itemKind, name: $0.merged.exposed) }
    }

    /// Answers a list request at an endpoint: one page of its view, cursors as on the main path.
    func replyEndpointList(_ kind: ListKind, list: EndpointList, offset: Int, id: [UInt8], route: ReplyRoute, principal: Principal) {
        let entries: [EndpointList.Entry]
        if let visibility {
            let itemKind = kind.itemKind
            entries = list.entries.filter { visibility.isVisible(principal, kind: itemKind, name: $0.merged.exposed) }
        } else {
            entries = list.entries
        }
        replyPage(kind, items: entries.map(\.bytes), generation: list.generation, offset: offset, id: id, route: route)
    }
}
