/// Reads `proxy.tracing` into ``ProxySettings/tracing``.
enum TracingSectionParser {
    static let topKeys = ["tracing"]
    static let keys = ["otlpEndpoint", "sampleRatio", "serviceName"]
    static let hints = [
        "endpoint": "write it as otlpEndpoint",
        "url": "write it as otlpEndpoint",
        "sampling": "write it as sampleRatio (0 to 1)",
        "ratio": "write it as sampleRatio (0 to 1)",
        "service": "write it as serviceName",
    ]

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let node = reader.optional(mapping, "tracing") else { return }
        let here = path.key("tracing")
        guard let section = reader.mapping(node, at: here, expected: "a mapping (otlpEndpoint, sampleRatio, serviceName)") else { return }
        reader.checkKeys(section, at: here, known: keys, hints: hints, what: "proxy.tracing")
        guard let value = reader.optional(section, "otlpEndpoint") else {
            reader.problem(here, "otlpEndpoint is required: the collector's OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces", line: node.line)
            return
        }
        guard let endpoint = reader.nonEmptyString(value, at: here.key("otlpEndpoint"), expected: "an http:// or https:// URL") else { return }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            reader.problem(here.key("otlpEndpoint"), "expected an http:// or https:// URL (OTLP over HTTP), found '\(endpoint)'", line: value.line)
            return
        }
        var tracing = TracingSettings(otlpEndpoint: endpoint)
        if let ratioNode = reader.optional(section, "sampleRatio") {
            var ratio: Double?
            if case .scalar(let scalar) = ratioNode.value {
                switch scalar.kind {
                case .int(let number): ratio = Double(number)
                case .float(let number): ratio = number
                default: ratio = nil
                }
            }
            if let ratio, (0...1).contains(ratio) {
                tracing.sampleRatio = ratio
            } else {
                reader.problem(here.key("sampleRatio"), "expected a number from 0 to 1 (the fraction of traces recorded), found \(ratioNode.kindDescription)", line: ratioNode.line)
            }
        }
        if let nameNode = reader.optional(section, "serviceName"),
           let name = reader.nonEmptyString(nameNode, at: here.key("serviceName"), expected: "a service name") {
            tracing.serviceName = name
        }
        settings.tracing = tracing
    }
}
