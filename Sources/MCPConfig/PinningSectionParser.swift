/// Reads `proxy.pinning` into ``ProxySettings/pinning``.
enum PinningSectionParser {
    static let keys = ["mode", "file", "onNew"]
    static let hints = [
        "path": "write it as file",
        "pinFile": "write it as file",
        "pins": "write it as file",
        "on_new": "write it as onNew (allow or quarantine)",
        "onnew": "write it as onNew (allow or quarantine)",
        "newTools": "write it as onNew (allow or quarantine)",
        "enabled": "write mode: warn or mode: enforce (mode: off turns pinning off)",
    ]

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let node = reader.optional(mapping, "pinning") else { return }
        let here = path.key("pinning")
        guard let section = reader.mapping(node, at: here, expected: "a mapping (mode, file, onNew)") else { return }
        reader.checkKeys(section, at: here, known: keys, hints: hints, what: "proxy.pinning")
        var mode = PinningSettings.Mode.off
        if let value = reader.optional(section, "mode"),
           let text = reader.choice(value, at: here.key("mode"), allowed: PinningSettings.Mode.allCases.map(\.rawValue)) {
            mode = PinningSettings.Mode(rawValue: text) ?? .off
        }
        var onNew = PinningSettings.OnNew.allow
        if let value = reader.optional(section, "onNew"),
           let text = reader.choice(value, at: here.key("onNew"), allowed: PinningSettings.OnNew.allCases.map(\.rawValue)) {
            onNew = PinningSettings.OnNew(rawValue: text) ?? .allow
        }
        guard let fileNode = reader.optional(section, "file") else {
            if mode != .off {
                reader.problem(here, "file is required with mode: \(mode.rawValue): the JSON file that holds the approved fingerprints, e.g. file: pins.json (relative to this config file's directory)", line: node.line)
            }
            return
        }
        guard let file = reader.nonEmptyString(fileNode, at: here.key("file"), expected: "a file path, e.g. pins.json") else { return }
        if file.hasSuffix("/") {
            reader.problem(here.key("file"), "expected a file path, found the directory '\(file)'; name a file in it, e.g. \(file)pins.json", line: fileNode.line)
            return
        }
        settings.pinning = PinningSettings(mode: mode, file: file, onNew: onNew)
    }
}
