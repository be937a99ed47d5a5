import JSONRPC

/// Small edits of JSON objects that keep every other member's bytes as they were.
enum JSONObjectEditor {
    /// The object with member `key` set to `value` (raw JSON), replacing or appending it.
    static func setting(_ key: String, to value: [UInt8], in object: JSONView) -> [UInt8]? {
        guard object.kind == .object else { return nil }
        var out: [UInt8] = [UInt8(ascii: "{")]
        var replaced = false
        for (index, member) in object.members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            if member.key == key && !replaced {
                out += value
                replaced = true
            } else {
                out += member.value.rawBytes
            }
        }
        if !replaced {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            JSONString.append(key, to: &out)
            out.append(UInt8(ascii: ":"))
            out += value
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
