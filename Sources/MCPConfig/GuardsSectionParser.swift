/// Reads `proxy.guards` into ProxySettings.
enum GuardsSectionParser {
    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard reader.optional(mapping, "guards") != nil else { return }
        reader.problem(path.key("guards"), "proxy.guards is not implemented yet", line: nil)
    }
}
