/// What looking a client's name or URI up in the merged catalog came to.
enum CatalogLookup<Found> {
    case found(Found)
    /// Not found yet; lists are loading and the request will be routed again.
    case loading
    /// Not found, and every list it could be in is loaded.
    case missing

    /// Decides a lookup: `lookup` reads the merged view, `loaded` says whether every list it could
    /// be in is loaded, `retried` whether the lists were already loaded once for this request.
    ///
    /// A miss is final only when the lists were all loaded *before* a lookup that missed: a
    /// lookup reads a snapshot of the parts, so a list another session stores between a miss and
    /// the `loaded` check would otherwise turn a known name into "unknown" (seen under load, as
    /// many new sessions load the shared catalog at once). So a miss checks `loaded` and, if it
    /// holds, looks once more.
    static func resolve(lookup: () -> Found?, loaded: () -> Bool, retried: Bool) -> CatalogLookup {
        if let found = lookup() { return .found(found) }
        if loaded() {
            return lookup().map(CatalogLookup.found) ?? .missing
        }
        return retried ? .missing : .loading
    }
}
