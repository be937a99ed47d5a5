/// Reads `proxy.policyHook` into ProxySettings.
enum PolicyHookSectionParser {
    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard reader.optional(mapping, "policyHook") != nil else { return }
        reader.problem(path.key("policyHook"), "proxy.policyHook is not implemented yet", line: nil)
    }
}
