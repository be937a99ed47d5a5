/// Reads the governance sections of `proxy:` (virtual endpoints, tool pinning, the policy on
/// server-initiated requests, the external policy hook and result guards); each has a parser of
/// its own.
enum GovernanceSectionsParser {
    static let topKeys = ["endpoints", "pinning", "serverRequests", "policyHook", "guards"]

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        EndpointsSectionParser.parse(mapping, path: path, into: &settings, reader: &reader)
        PinningSectionParser.parse(mapping, path: path, into: &settings, reader: &reader)
        ServerRequestsSectionParser.parse(mapping, path: path, into: &settings, reader: &reader)
        PolicyHookSectionParser.parse(mapping, path: path, into: &settings, reader: &reader)
        GuardsSectionParser.parse(mapping, path: path, into: &settings, reader: &reader)
    }
}
