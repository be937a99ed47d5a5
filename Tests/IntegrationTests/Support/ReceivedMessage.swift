import JSONRPC
import NIOCore

/// One line the proxy wrote to its stdout, with its JSON decoded for assertions.
struct ReceivedMessage: Sendable, CustomStringConvertible {
    /// The line exactly as received (no newline).
    let line: String
    /// The decoded JSON, or nil when the line is not valid JSON.
    let json: JSONValue?
    /// The `id` token exactly as written (`"abc"`, `0`, `null`), or nil when there is none.
    let idText: String?
    /// Position in arrival order (0 = first line the proxy wrote).
    let sequence: Int

    init(line: String, sequence: Int) {
        self.line = line
        self.sequence = sequence
        self.json = try? JSONValue(parsing: Array(line.utf8))
        let view = try? JSONView.parse(ByteBuffer(string: line))
        self.idText = view?["id"].map { String(decoding: $0.rawBytes, as: UTF8.self) }
    }

    var description: String { line }

    /// `method` of a request or notification.
    var method: String? { json?["method"]?.stringValue }
    /// A response (result or error), not a request or notification.
    var isResponse: Bool { method == nil && (json?["result"] != nil || json?["error"] != nil) }
    /// A notification: a method and no id.
    var isNotification: Bool { method != nil && json?["id"] == nil }
    /// A request from the proxy to the client: a method and an id.
    var isRequest: Bool { method != nil && json?["id"] != nil }
    /// A JSON array (batch response).
    var isBatch: Bool { json?.arrayValue != nil }

    var params: JSONValue? { json?["params"] }
    var result: JSONValue? { json?["result"] }
    var errorCode: Int64? { json?["error"]?["code"]?.intValue }
    var errorMessage: String? { json?["error"]?["message"]?.stringValue }

    /// The text of the first content item of a tools/call result.
    var toolText: String? { result?["content"]?.arrayValue?.first?["text"]?.stringValue }
    /// `isError` of a tools/call result (false when absent).
    var toolIsError: Bool { result?["isError"]?.boolValue ?? false }
}
