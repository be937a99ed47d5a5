/// Tool-definition pinning in a running proxy.
extension MCPProxy {
    /// Pins changed (an approval, or the pin file read again): every catalog builds its merged
    /// tools again from the lists it holds, and every client gets
    /// `notifications/tools/list_changed`.
    func pinsChanged() {
        let sessions = liveSessionList
        var catalogs: [ObjectIdentifier: MergedCatalog] = [ObjectIdentifier(hub.catalog): hub.catalog]
        for session in sessions { catalogs[ObjectIdentifier(session.catalog)] = session.catalog }
        for catalog in catalogs.values { catalog.pinsChanged() }
        for session in sessions { session.notifyClient(method: ListKind.tools.listChangedMethod) }
    }

    /// Registers with the options' pinning, if any, to hear of approvals.
    func listenForPinChanges() {
        options.toolPinning?.onChange { [weak self] in self?.pinsChanged() }
    }
}
