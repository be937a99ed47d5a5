/// Reads a `tls:` mapping: `certificate`, `privateKey` (PEM paths) and `ca`.
enum TLSSectionParser {
    static let keys = ["certificate", "privateKey", "ca"]

    /// `requireIdentity`: a server needs its certificate and key; a client may have neither.
    static func parse(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader, requireIdentity: Bool) -> TLSFileSettings? {
        guard let mapping = reader.mapping(node, at: path) else { return nil }
        reader.checkKeys(mapping, at: path, known: keys, what: "tls")
        var settings = TLSFileSettings()
        for key in keys {
            guard let value = reader.optional(mapping, key),
                  let text = reader.nonEmptyString(value, at: path.key(key), expected: "a path to a PEM file") else { continue }
            switch key {
            case "certificate": settings.certificate = text
            case "privateKey": settings.privateKey = text
            default: settings.ca = text
            }
        }
        if (settings.certificate == nil) != (settings.privateKey == nil) || (requireIdentity && settings.certificate == nil) {
            reader.problem(path, requireIdentity
                ? "expected both certificate and privateKey (PEM files)"
                : "expected certificate and privateKey together (client certificate), or neither", line: node.line)
        }
        return settings
    }
}
