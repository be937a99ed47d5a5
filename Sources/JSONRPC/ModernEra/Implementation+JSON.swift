extension Implementation {
    /// Reads an `Implementation` from a JSON object: `name` and `version` must be strings,
    /// `title` is kept when a string, every other member goes to `extra`.
    public init?(view: JSONView) {
        guard view.kind == .object, let name = view["name"]?.string, let version = view["version"]?.string else {
            return nil
        }
        var extra: [String: JSONValue] = [:]
        for (key, value) in view.members where !["name", "version", "title"].contains(key) && extra[key] == nil {
            extra[key] = JSONValue(value)
        }
        self.init(name: name, version: version, title: view["title"]?.string, extra: extra)
    }

    /// Compact JSON: `name`, `version`, `title` (when set), then the extra members sorted by key.
    public var jsonBytes: [UInt8] {
        var bytes: [UInt8] = Array(#"{"name":"#.utf8)
        JSONString.append(name, to: &bytes)
        bytes += Array(#","version":"#.utf8)
        JSONString.append(version, to: &bytes)
        if let title {
            bytes += Array(#","title":"#.utf8)
            JSONString.append(title, to: &bytes)
        }
        for key in extra.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        where !["name", "version", "title"].contains(key) {
            bytes.append(UInt8(ascii: ","))
            JSONString.append(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            extra[key]?.append(to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
