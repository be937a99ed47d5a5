/// Reads the connection-hardening keys of `proxy.listen`: connection caps and the header and
/// idle timeouts.
enum ConnectionLimitsParser {
    static func read(_ section: ConfigNode.Mapping, at path: KeyPath, into listen: inout ListenSettings, reader: inout ConfigReader) {
        if let value = reader.optional(section, "maxConnections"), let number = reader.int(value, at: path.key("maxConnections"), minimum: 1) {
            listen.maxConnections = number
        }
        if let value = reader.optional(section, "maxConnectionsPerAddress"),
           let number = reader.int(value, at: path.key("maxConnectionsPerAddress"), minimum: 1) {
            listen.maxConnectionsPerAddress = number
            if number > listen.maxConnections {
                reader.warning(path.key("maxConnectionsPerAddress"), "\(number) is more than maxConnections (\(listen.maxConnections)), so it never applies", line: value.line)
            }
        }
        if let value = reader.optional(section, "headerTimeoutSeconds"),
           let seconds = reader.seconds(value, at: path.key("headerTimeoutSeconds"), allowZero: false) {
            listen.headerTimeoutSeconds = seconds
        }
        if let value = reader.optional(section, "idleTimeoutSeconds"),
           let seconds = reader.seconds(value, at: path.key("idleTimeoutSeconds"), allowZero: false) {
            listen.idleTimeoutSeconds = seconds
        }
    }
}
