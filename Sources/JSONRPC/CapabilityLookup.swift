/// Lookups shared by the capability models.
extension [String: JSONValue] {
    /// True if the member at `path` is an object (the MCP way to declare a capability) or `true`.
    func declares(_ path: String...) -> Bool {
        switch lookup(path) {
        case .object?, .bool(true)?: return true
        default: return false
        }
    }

    /// True if the member at `path` is `true`.
    func flag(_ path: String...) -> Bool {
        lookup(path) == .bool(true)
    }

    private func lookup(_ path: [String]) -> JSONValue? {
        guard let first = path.first else { return nil }
        var value = self[first]
        for key in path.dropFirst() {
            value = value?[key]
        }
        return value
    }
}
