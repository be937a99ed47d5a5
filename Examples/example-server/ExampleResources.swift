import JSONRPC

/// The example server's resources, templates, prompts and completions.
extension ExampleServer {
    func resourceDefinitions() -> [JSONValue] {
        [
            .object(["uri": .string("example://static/hello"), "name": .string("hello"), "mimeType": .string("text/plain")]),
            .object(["uri": .string("example://counter"), "name": .string("counter"), "mimeType": .string("text/plain"),
                     "description": .string("A number that the bump tool increments; subscribable")]),
        ]
    }

    func templateDefinitions() -> [JSONValue] {
        [.object(["uriTemplate": .string("example://items/{id}"), "name": .string("item"), "mimeType": .string("text/plain")])]
    }

    func promptDefinitions() -> [JSONValue] {
        [.object([
            "name": .string("greet"),
            "description": .string("Greets someone by name"),
            "arguments": .array([.object(["name": .string("name"), "required": .bool(true)])]),
        ])]
    }

    /// The text of resource `uri`; nil when there is none.
    func resourceText(_ uri: String) -> String? {
        if uri == "example://static/hello" { return "Hello from \(name)" }
        if uri == "example://counter" { return String(state.withLockedValue { $0.counter }) }
        if uri.hasPrefix("example://items/"), !uri.dropFirst("example://items/".count).isEmpty {
            return "item \(uri.dropFirst("example://items/".count))"
        }
        return nil
    }

    func readResource(id: [UInt8], uri: String) {
        guard let text = resourceText(uri) else {
            send(JSONRPCEncoder.errorResponse(idBytes: id, code: .resourceNotFound, message: "Resource not found: \(uri)",
                                              data: JSONValue.object(["uri": .string(uri)]).encoded))
            return
        }
        respond(id, .object(["contents": .array([.object(["uri": .string(uri), "mimeType": .string("text/plain"), "text": .string(text)])])]))
    }

    /// The result of prompts/get; nil for an unknown prompt.
    func promptResult(_ params: JSONValue) -> JSONValue? {
        guard params["name"]?.stringValue == "greet" else { return nil }
        let who = params["arguments"]?["name"]?.stringValue ?? "world"
        return .object([
            "description": .string("A greeting"),
            "messages": .array([.object(["role": .string("user"), "content": .object(["type": .string("text"), "text": .string("Hello, \(who)!")])])]),
        ])
    }

    func getPrompt(id: [UInt8], params: JSONValue) {
        guard let result = promptResult(params) else {
            fail(id, .invalidParams, "Unknown prompt: \(params["name"]?.stringValue ?? "")")
            return
        }
        respond(id, result)
    }

    /// The result of completion/complete.
    func completionResult(_ params: JSONValue) -> JSONValue {
        let prefix = params["argument"]?["value"]?.stringValue ?? ""
        let candidates = ["Ada", "Alan", "Grace"]
        let values = params["ref"]?["name"]?.stringValue == "greet"
            ? candidates.filter { $0.lowercased().hasPrefix(prefix.lowercased()) }
            : []
        return .object(["completion": .object([
            "values": .array(values.map { .string($0) }), "total": .int(Int64(values.count)), "hasMore": .bool(false),
        ])])
    }

    func complete(id: [UInt8], params: JSONValue) {
        respond(id, completionResult(params))
    }
}
