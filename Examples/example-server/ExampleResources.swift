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

    func readResource(id: [UInt8], uri: String) {
        let text: String
        if uri == "example://static/hello" {
            text = "Hello from \(name)"
        } else if uri == "example://counter" {
            text = String(state.withLockedValue { $0.counter })
        } else if uri.hasPrefix("example://items/"), !uri.dropFirst("example://items/".count).isEmpty {
            text = "item \(uri.dropFirst("example://items/".count))"
        } else {
            send(JSONRPCEncoder.errorResponse(idBytes: id, code: .resourceNotFound, message: "Resource not found: \(uri)",
                                              data: JSONValue.object(["uri": .string(uri)]).encoded))
            return
        }
        respond(id, .object(["contents": .array([.object(["uri": .string(uri), "mimeType": .string("text/plain"), "text": .string(text)])])]))
    }

    func getPrompt(id: [UInt8], params: JSONValue) {
        guard params["name"]?.stringValue == "greet" else {
            fail(id, .invalidParams, "Unknown prompt: \(params["name"]?.stringValue ?? "")")
            return
        }
        let who = params["arguments"]?["name"]?.stringValue ?? "world"
        respond(id, .object([
            "description": .string("A greeting"),
            "messages": .array([.object(["role": .string("user"), "content": .object(["type": .string("text"), "text": .string("Hello, \(who)!")])])]),
        ]))
    }

    func complete(id: [UInt8], params: JSONValue) {
        let prefix = params["argument"]?["value"]?.stringValue ?? ""
        let candidates = ["Ada", "Alan", "Grace"]
        let values = params["ref"]?["name"]?.stringValue == "greet"
            ? candidates.filter { $0.lowercased().hasPrefix(prefix.lowercased()) }
            : []
        respond(id, .object(["completion": .object([
            "values": .array(values.map { .string($0) }), "total": .int(Int64(values.count)), "hasMore": .bool(false),
        ])]))
    }
}
