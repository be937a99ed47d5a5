import JSONRPC

/// The policy hook's wire format: what the proxy POSTs, and how it reads the answer.
///
/// Request (`phase` `request` or `response`; `result` only in the response phase):
/// ```json
/// {"phase":"request","principal":{"subject":"alice","roles":["dev"],"scopes":[]},
///  "endpoint":"/mcp","session":"http:*:1a2b3c4d","method":"tools/call","name":"tickets__create",
///  "tool":"create","upstream":"tickets","arguments":{"title":"..."}}
/// ```
/// Answer: `{"decision":"allow"|"deny","reason":"...","arguments":{...}}`; in the response
/// phase `result` takes the place of `arguments`.
public enum PolicyHookWire {
    /// A decision as the hook wrote it.
    public struct Answer: Sendable, Equatable {
        /// Allow or deny.
        public enum Decision: String, Sendable {
            /// Go on (with the replacement, if any).
            case allow
            /// Refuse.
            case deny
        }

        /// What the hook decided.
        public var decision: Decision
        /// Its reason, if it gave one.
        public var reason: String?
        /// Rewritten arguments (request phase) or a replaced result (response phase), raw JSON.
        public var replacement: [UInt8]?

        /// Creates an answer.
        public init(decision: Decision, reason: String? = nil, replacement: [UInt8]? = nil) {
            self.decision = decision
            self.reason = reason
            self.replacement = replacement
        }

        /// `": <reason>"`, or empty, for log notes.
        var reasonSuffix: String {
            guard let reason, !reason.isEmpty else { return "" }
            return ": " + reason
        }
    }

    /// The JSON body for one question.
    public static func requestBody(phase: String, call: GovernedCall, result: [UInt8]?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + (call.arguments?.count ?? 0) + (result?.count ?? 0))
        out += Array(#"{"phase":"#.utf8)
        JSONString.append(phase, to: &out)
        out += Array(#","principal":{"subject":"#.utf8)
        JSONString.append(call.principal.subject, to: &out)
        out += Array(#","roles":"#.utf8)
        appendStrings(call.principal.roles, to: &out)
        out += Array(#","scopes":"#.utf8)
        appendStrings(call.principal.scopes, to: &out)
        out += Array(#"},"endpoint":"#.utf8)
        appendOptional(call.endpoint, to: &out)
        out += Array(#","session":"#.utf8)
        JSONString.append(call.session, to: &out)
        out += Array(#","method":"#.utf8)
        JSONString.append(call.method, to: &out)
        out += Array(#","name":"#.utf8)
        appendOptional(call.name, to: &out)
        out += Array(#","tool":"#.utf8)
        appendOptional(call.tool, to: &out)
        out += Array(#","upstream":"#.utf8)
        JSONString.append(call.upstream, to: &out)
        out += Array(#","arguments":"#.utf8)
        out += call.arguments ?? Array("null".utf8)
        if let result {
            out += Array(#","result":"#.utf8)
            out += result
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Reads the hook's answer; `replacementKey` is `arguments` (request phase) or `result`.
    public static func parseAnswer(_ bytes: [UInt8], replacementKey: String) -> Result<Answer, PolicyHookError> {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            return .failure(PolicyHookError("its answer is not JSON (\(error.message))"))
        }
        guard case .object(let object) = value else {
            return .failure(PolicyHookError("its answer is not a JSON object"))
        }
        guard let text = object["decision"]?.stringValue, let decision = Answer.Decision(rawValue: text) else {
            return .failure(PolicyHookError(#"its answer has no "decision" of "allow" or "deny""#))
        }
        var answer = Answer(decision: decision, reason: object["reason"]?.stringValue)
        if decision == .allow, let replacement = object[replacementKey], replacement != .null {
            guard case .object = replacement else {
                return .failure(PolicyHookError("its \"\(replacementKey)\" is not a JSON object"))
            }
            answer.replacement = replacement.encoded
        }
        return .success(answer)
    }

    private static func appendStrings(_ strings: [String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, string) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(string, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private static func appendOptional(_ string: String?, to out: inout [UInt8]) {
        if let string {
            JSONString.append(string, to: &out)
        } else {
            out += Array("null".utf8)
        }
    }
}
