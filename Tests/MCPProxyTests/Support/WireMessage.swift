import JSONRPC
import NIOCore

/// One JSON-RPC message as it crossed a fake transport: its exact text and its parsed form.
struct WireMessage: Sendable, CustomStringConvertible {
    /// The bytes exactly as sent, as text.
    let raw: String
    /// The parsed message (`.null` when the text is not JSON).
    let json: JSONValue

    init(raw: String) {
        self.raw = raw
        self.json = (try? JSONValue(parsing: ByteBuffer(string: raw))) ?? .null
    }

    var id: JSONValue? { json["id"] }
    var method: String? { json["method"]?.stringValue }
    var params: JSONValue? { json["params"] }
    var result: JSONValue? { json["result"] }
    var error: JSONValue? { json["error"] }
    var errorCode: Int64? { json["error"]?["code"]?.intValue }

    /// A request: has a method and an id.
    var isRequest: Bool { method != nil && json["id"] != nil }
    /// A notification: a method without an id.
    var isNotification: Bool { method != nil && json["id"] == nil }
    /// A response: an id (possibly null) and a result or an error, no method.
    var isResponse: Bool { method == nil && (json["result"] != nil || json["error"] != nil) }
    /// A batch array.
    var isBatch: Bool {
        if case .array = json { return true }
        return false
    }
    var elements: [JSONValue] {
        if case .array(let items) = json { return items }
        return []
    }

    var description: String { raw }
}

extension JSONValue {
    /// Array elements, or an empty array when this is not an array.
    var arrayValue: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    /// Object keys, sorted; empty when this is not an object.
    var objectKeys: [String] {
        if case .object(let members) = self { return members.keys.sorted() }
        return []
    }

    /// The value as compact JSON text.
    var text: String { String(decoding: encoded, as: UTF8.self) }
}
