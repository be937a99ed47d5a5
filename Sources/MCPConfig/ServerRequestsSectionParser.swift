/// Reads `proxy.serverRequests` into ProxySettings.
enum ServerRequestsSectionParser {
    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard reader.optional(mapping, "serverRequests") != nil else { return }
        reader.problem(path.key("serverRequests"), "proxy.serverRequests is not implemented yet", line: nil)
    }
}
