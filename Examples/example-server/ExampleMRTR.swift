import Foundation
import JSONRPC

/// MRTR (2026-07-28): the tools `sample`, `elicit` and `roots` ask the client through an
/// `input_required` result instead of a server-to-client request, and finish when the client
/// retries with `inputResponses` and the same `requestState`.
///
/// `requestState` is `base64url(payload) "." hex(HMAC-SHA256(key, base64url(payload)))`, where
/// payload is `{"a": sha256(arguments), "e": expiry, "m": "tools/call", "t": tool}` and the key is
/// random per process. A state that does not verify, has expired, or was minted for another
/// tool or other arguments is refused with -32602 `{"reason": "invalid_request_state"}`.
extension ExampleServer {
    /// How long a minted `requestState` stays valid.
    static let requestStateLifetime: TimeInterval = 300

    /// Serves a tools/call of an MRTR tool; nil for any other tool.
    func modernInputTool(_ params: JSONValue) -> Result<JSONValue, ModernError>? {
        let tool = params["name"]?.stringValue ?? ""
        guard ["sample", "elicit", "roots"].contains(tool), let modern else { return nil }
        let arguments = params["arguments"] ?? .object([:])
        let capabilities = params["_meta"]?[ModernEra.capabilitiesKey] ?? .object([:])
        if let required = Self.missingCapability(tool: tool, capabilities: capabilities) {
            return .failure(ModernError(
                code: -32021, message: "Client did not declare the capability the tool '\(tool)' needs",
                data: .object(["requiredCapabilities": required])))
        }
        if let state = params["requestState"] {
            guard let text = state.stringValue, Self.verify(text, tool: tool, arguments: arguments, key: modern.key) else {
                return .failure(ModernError(code: -32602, message: "Invalid or expired requestState",
                                            data: .object(["reason": .string("invalid_request_state")])))
            }
            if let answer = params["inputResponses"]?[tool] {
                return .success(finish(tool, answer: answer))
            }
        }
        return .success(.object([
            "resultType": .string("input_required"),
            "inputRequests": .object([tool: inputRequest(tool, arguments: arguments)]),
            "requestState": .string(Self.seal(tool: tool, arguments: arguments, key: modern.key)),
        ]))
    }

    /// The `requiredCapabilities` a tool needs and `capabilities` lacks; nil when declared.
    static func missingCapability(tool: String, capabilities: JSONValue) -> JSONValue? {
        switch tool {
        case "sample":
            return capabilities["sampling"] == nil ? .object(["sampling": .object([:])]) : nil
        case "roots":
            return capabilities["roots"] == nil ? .object(["roots": .object([:])]) : nil
        default:
            // Form elicitation: declared as {"elicitation": {}} or {"elicitation": {"form": {}, ...}}.
            guard case .object(let elicitation)? = capabilities["elicitation"],
                  elicitation.isEmpty || elicitation["form"] != nil else {
                return .object(["elicitation": .object(["form": .object([:])])])
            }
            return nil
        }
    }

    private func inputRequest(_ tool: String, arguments: JSONValue) -> JSONValue {
        switch tool {
        case "sample":
            let prompt = arguments["prompt"]?.stringValue ?? ""
            return .object(["method": .string("sampling/createMessage"), "params": .object([
                "messages": .array([.object(["role": .string("user"), "content": .object(["type": .string("text"), "text": .string(prompt)])])]),
                "maxTokens": .int(100),
            ])])
        case "roots":
            return .object(["method": .string("roots/list")])
        default:
            return .object(["method": .string("elicitation/create"), "params": .object([
                "mode": .string("form"),
                "message": .string(arguments["message"]?.stringValue ?? "What is your name?"),
                "requestedSchema": .object([
                    "type": .string("object"),
                    "properties": .object(["name": .object(["type": .string("string")])]),
                    "required": .array([.string("name")]),
                ]),
            ])])
        }
    }

    /// The tool's final result from the client's answer (the same texts as the legacy tools).
    private func finish(_ tool: String, answer: JSONValue) -> JSONValue {
        switch tool {
        case "sample":
            return Self.text("sampled: \(answer["content"]?["text"]?.stringValue ?? "?")")
        case "roots":
            let uris = answer["roots"]?.arrayValue?.compactMap { $0["uri"]?.stringValue } ?? []
            return Self.text(uris.joined(separator: "\n"))
        default:
            let action = answer["action"]?.stringValue ?? "?"
            let name = answer["content"]?["name"]?.stringValue ?? ""
            return Self.text("action=\(action) name=\(name)")
        }
    }

    // MARK: requestState

    static func seal(tool: String, arguments: JSONValue, key: [UInt8], now: Date = Date()) -> String {
        let payload = JSONValue.object([
            "a": .string(ExampleHMAC.hex(ExampleHMAC.sha256(arguments.encoded))),
            "e": .int(Int64(now.timeIntervalSince1970 + requestStateLifetime)),
            "m": .string("tools/call"),
            "t": .string(tool),
        ])
        let body = base64url(payload.encoded)
        return body + "." + ExampleHMAC.hex(ExampleHMAC.hmac(key: key, message: Array(body.utf8)))
    }

    static func verify(_ state: String, tool: String, arguments: JSONValue, key: [UInt8], now: Date = Date()) -> Bool {
        let parts = state.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let expected = ExampleHMAC.hex(ExampleHMAC.hmac(key: key, message: Array(parts[0].utf8)))
        guard ExampleHMAC.equal(Array(expected.utf8), Array(parts[1].utf8)),
              let bytes = unbase64url(String(parts[0])),
              let payload = try? JSONValue(parsing: bytes) else { return false }
        return payload["t"]?.stringValue == tool
            && payload["m"]?.stringValue == "tools/call"
            && payload["a"]?.stringValue == ExampleHMAC.hex(ExampleHMAC.sha256(arguments.encoded))
            && (payload["e"]?.intValue ?? 0) >= Int64(now.timeIntervalSince1970)
    }

    private static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64url(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
