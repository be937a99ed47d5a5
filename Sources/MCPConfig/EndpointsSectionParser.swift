/// Reads `proxy.endpoints` into ProxySettings.
enum EndpointsSectionParser {
    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard reader.optional(mapping, "endpoints") != nil else { return }
        reader.problem(path.key("endpoints"), "proxy.endpoints is not implemented yet", line: nil)
    }
}
