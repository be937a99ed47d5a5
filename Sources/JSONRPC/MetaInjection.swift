/// The splices that put string members into a request's `params._meta`: values of keys already
/// there are replaced, missing keys are inserted first in `_meta`, and `_meta` (or `params`) is
/// created when absent. The rest of the message is untouched, byte for byte.
public enum MetaInjection {
    /// The edits for `values` (sorted by key, so the output does not depend on hashing).
    public static func splices(_ values: [String: String], into message: JSONRPCMessage) -> [ByteSplice] {
        guard !values.isEmpty else { return [] }
        let keys = values.keys.sorted()
        guard let paramsRange = message.envelope.paramsRange else {
            // No params: add them before the message's closing brace.
            let end = lastBrace(in: message)
            guard let end else { return [] }
            return [ByteSplice(range: end..<end, replacement: Array(#","params":{"_meta":"#.utf8) + object(keys, values) + [UInt8(ascii: "}")])]
        }
        let params = JSONView(message: message, range: paramsRange)
        guard params.kind == .object else { return [] }
        guard let meta = params["_meta"], meta.kind == .object else {
            // params without _meta: insert it first.
            let comma: [UInt8] = params.members.isEmpty ? [] : [UInt8(ascii: ",")]
            let at = paramsRange.lowerBound + 1
            return [ByteSplice(range: at..<at, replacement: Array(#""_meta":"#.utf8) + object(keys, values) + comma)]
        }
        var edits: [ByteSplice] = []
        var missing: [String] = []
        let members = meta.members
        for key in keys {
            if let existing = members.first(where: { $0.key == key })?.value {
                edits.append(ByteSplice(range: existing.range, replacement: quoted(values[key] ?? "")))
            } else {
                missing.append(key)
            }
        }
        if !missing.isEmpty {
            var inserted = memberBytes(missing, values)
            if !members.isEmpty { inserted.append(UInt8(ascii: ",")) }
            let at = meta.range.lowerBound + 1
            edits.append(ByteSplice(range: at..<at, replacement: inserted))
        }
        return edits
    }

    private static func object(_ keys: [String], _ values: [String: String]) -> [UInt8] {
        [UInt8(ascii: "{")] + memberBytes(keys, values) + [UInt8(ascii: "}")]
    }

    private static func memberBytes(_ keys: [String], _ values: [String: String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, key) in keys.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += quoted(key)
            bytes.append(UInt8(ascii: ":"))
            bytes += quoted(values[key] ?? "")
        }
        return bytes
    }

    private static func quoted(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONString.append(text, to: &bytes)
        return bytes
    }

    /// The offset of the message's closing `}`.
    private static func lastBrace(in message: JSONRPCMessage) -> Int? {
        let bytes = message.bytes.readableBytesView
        var index = bytes.count - 1
        while index >= 0 {
            let byte = bytes[bytes.startIndex + index]
            if byte == UInt8(ascii: "}") { return index }
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return nil }
            index -= 1
        }
        return nil
    }
}
