import JSONRPC
import NIOCore

/// Applies a ``SecretRedactor`` to a `tools/call` result: to the `text` of text content items
/// (and of embedded text resources), and to every string value inside `structuredContent`.
/// Members of the result it does not change keep their bytes.
enum ResultRedaction {
    /// The redacted result, or nil when nothing was redacted; `counts` gains the redactions by kind.
    static func redact(_ result: [UInt8], with redactor: SecretRedactor, counts: inout [String: Int]) -> [UInt8]? {
        guard redactor.mayRedact(result), let view = try? JSONView.parse(ByteBuffer(bytes: result)), view.kind == .object else { return nil }
        var edited: [UInt8]?
        if let content = view["content"], content.kind == .array {
            var items = JSONValue(content)
            if redactContent(&items, redactor, &counts) {
                edited = JSONObjectEditor.setting("content", to: items.encoded, in: view)
            }
        }
        if let structured = view["structuredContent"] {
            var value = JSONValue(structured)
            if redactStrings(&value, redactor, &counts) {
                let base = edited.flatMap { try? JSONView.parse(ByteBuffer(bytes: $0)) } ?? view
                edited = JSONObjectEditor.setting("structuredContent", to: value.encoded, in: base)
            }
        }
        return edited
    }

    /// Text content items and embedded text resources.
    private static func redactContent(_ items: inout JSONValue, _ redactor: SecretRedactor, _ counts: inout [String: Int]) -> Bool {
        guard case .array(var array) = items else { return false }
        var changed = false
        for index in array.indices {
            guard case .object(var item) = array[index] else { continue }
            if let text = item["text"]?.stringValue, let redacted = redactor.redact(text, counts: &counts) {
                item["text"] = .string(redacted)
                changed = true
            }
            if case .object(var resource)? = item["resource"], let text = resource["text"]?.stringValue,
               let redacted = redactor.redact(text, counts: &counts) {
                resource["text"] = .string(redacted)
                item["resource"] = .object(resource)
                changed = true
            }
            array[index] = .object(item)
        }
        if changed { items = .array(array) }
        return changed
    }

    /// Every string value (not keys), at any depth.
    private static func redactStrings(_ value: inout JSONValue, _ redactor: SecretRedactor, _ counts: inout [String: Int]) -> Bool {
        switch value {
        case .string(let text):
            guard let redacted = redactor.redact(text, counts: &counts) else { return false }
            value = .string(redacted)
            return true
        case .array(var array):
            var changed = false
            for index in array.indices where redactStrings(&array[index], redactor, &counts) { changed = true }
            if changed { value = .array(array) }
            return changed
        case .object(var object):
            var changed = false
            for key in object.keys {
                guard var member = object[key] else { continue }
                if redactStrings(&member, redactor, &counts) {
                    object[key] = member
                    changed = true
                }
            }
            if changed { value = .object(object) }
            return changed
        default:
            return false
        }
    }
}
