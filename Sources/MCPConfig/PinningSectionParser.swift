/// Reads `proxy.pinning` into ProxySettings.
enum PinningSectionParser {
    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard reader.optional(mapping, "pinning") != nil else { return }
        reader.problem(path.key("pinning"), "proxy.pinning is not implemented yet", line: nil)
    }
}
