import JSONRPC

/// The `x-mcp-header` annotations of one tool's `inputSchema`: which argument (a path of
/// `properties` keys) is mirrored into which `Mcp-Param-<token>` header, and its declared type.
///
/// Built with `init(inputSchema:)`, which applies the 2026-07-28 validity rules (spec
/// "Custom Headers", same walk as the Python SDK's `find_invalid_x_mcp_header`). A tool whose
/// schema fails them is invalid as a whole: an HTTP client MUST drop it from `tools/list` (with a
/// warning), and a server validates no `Mcp-Param-*` header for it.
public struct XMCPHeaderAnnotations: Sendable, Equatable {
    /// The schema keyword that carries an annotation.
    public static let keyword = "x-mcp-header"

    /// The primitive JSON Schema types an annotation may sit on (`number` is not allowed).
    public enum ValueType: String, Sendable, Equatable {
        /// `"type": "string"`: the value is sent as is.
        case string
        /// `"type": "integer"`: decimal; compared numerically (`42` matches `42.0`).
        case integer
        /// `"type": "boolean"`: `true` or `false`.
        case boolean
    }

    /// One annotated argument.
    public struct Entry: Sendable, Equatable {
        /// The `properties` keys from the schema root to the argument, e.g. `["region"]`.
        public var path: [String]
        /// The annotation value, e.g. `Region` (header `Mcp-Param-Region`).
        public var token: String
        /// The argument's declared type.
        public var type: ValueType

        /// Creates an entry.
        public init(path: [String], token: String, type: ValueType) {
            self.path = path
            self.token = token
            self.type = type
        }

        /// The header name, `Mcp-Param-<token>`.
        public var headerName: String { ModernRequestHeaders.paramPrefix + token }
        /// The argument path joined with dots, as used in error messages (e.g. `region`).
        public var argumentName: String { path.joined(separator: ".") }
    }

    /// The annotations in schema document order.
    public var entries: [Entry]

    /// Creates annotations from entries already validated elsewhere.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// No annotations: the tool mirrors no argument into a header.
    public static let none = XMCPHeaderAnnotations(entries: [])

    /// True when no argument is annotated.
    public var isEmpty: Bool { entries.isEmpty }

    /// Reads and validates the annotations of `inputSchema` (a missing or non-object schema has
    /// none). Every annotation must:
    /// - be a non-empty RFC 9110 token (`!#$%&'*+-.^_`|~`, digits, letters);
    /// - be unique within the schema, case-insensitively;
    /// - sit on a property whose `type` is the string `"string"`, `"integer"` or `"boolean"`;
    /// - be reachable from the root through `properties` keys only (not under `items`,
    ///   `oneOf`/`anyOf`/`allOf`/`not`, `if`/`then`/`else`, `$defs`, …; `$ref` is not followed).
    /// - Throws: `XMCPHeaderAnnotationError` naming the first rule broken; drop the tool.
    public init(inputSchema: JSONView?) throws(XMCPHeaderAnnotationError) {
        var entries: [Entry] = []
        var seen: [String: String] = [:]  // lowercased token -> argument name
        guard let inputSchema else {
            self.entries = []
            return
        }
        // Depth-first in document order; a nil path means "left the pure `properties` chain".
        var stack: [(path: [String]?, node: JSONView)] = [(path: [], node: inputSchema)]
        while let (path, node) = stack.popLast() {
            guard node.kind == .object else { continue }
            var children: [(path: [String]?, node: JSONView)] = []
            var annotation: JSONView?
            var type: JSONView?
            var repeated: String?  // a member read here that appears twice: readers could disagree
            for (key, value) in node.members {
                switch key {
                case Self.keyword:
                    if annotation != nil { repeated = key }
                    annotation = annotation ?? value
                case "type":
                    if type != nil { repeated = key }
                    type = type ?? value
                case "properties" where value.kind == .object:
                    for (name, sub) in value.members { children.append((path: path.map { $0 + [name] }, node: sub)) }
                case _ where Self.singleSubschema.contains(key):
                    children.append((path: nil, node: value))
                case _ where Self.listSubschema.contains(key) && value.kind == .array:
                    children += value.elements.map { (path: nil, node: $0) }
                case _ where Self.mapSubschema.contains(key) && value.kind == .object:
                    children += value.members.map { (path: nil, node: $0.value) }
                default:
                    break
                }
            }
            stack += children.reversed()
            guard let annotation else { continue }
            if let repeated {
                throw XMCPHeaderAnnotationError(
                    reason: "property '\(path?.joined(separator: ".") ?? "")' has more than one '\(repeated)' member; keep one")
            }
            let entry = try Self.entry(path: path, annotation: annotation, type: type)
            let folded = entry.token.lowercased()
            if let other = seen[folded] {
                throw XMCPHeaderAnnotationError(
                    reason: "\(Self.keyword) '\(entry.token)' on property '\(entry.argumentName)' duplicates property '\(other)'")
            }
            seen[folded] = entry.argumentName
            entries.append(entry)
        }
        self.entries = entries
    }

    /// Validates one annotation found at `path`.
    private static func entry(path: [String]?, annotation: JSONView, type: JSONView?) throws(XMCPHeaderAnnotationError) -> Entry {
        guard let path, !path.isEmpty else {
            throw XMCPHeaderAnnotationError(
                reason: "\(keyword) found at a schema position not reachable via a pure `properties` chain")
        }
        let where_ = path.joined(separator: ".")
        guard let token = annotation.string else {
            throw XMCPHeaderAnnotationError(reason: "property '\(where_)': \(keyword) must be a string, not \(annotation.kind)")
        }
        guard isToken(token) else {
            throw XMCPHeaderAnnotationError(reason: "property '\(where_)': \(keyword) '\(token)' is not an RFC 9110 token")
        }
        guard let typeName = type?.string else {
            throw XMCPHeaderAnnotationError(
                reason: "property '\(where_)': \(keyword) is only permitted on integer/string/boolean properties (the type keyword is not a string)")
        }
        guard let valueType = ValueType(rawValue: typeName) else {
            throw XMCPHeaderAnnotationError(
                reason: "property '\(where_)': \(keyword) is only permitted on integer/string/boolean properties (got '\(typeName)')")
        }
        return Entry(path: path, token: token, type: valueType)
    }

    /// True for a non-empty RFC 9110 token (section 5.6.2).
    public static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "a")...UInt8(ascii: "z"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }

    // JSON Schema 2020-12 applicators whose values are schema positions (as in the SDK). Entering
    // any of them leaves the pure `properties` chain. Instance data (`default`, `examples`,
    // `const`, `enum`) is never entered, and `$ref` is never followed.
    private static let singleSubschema: Set<String> = [
        "items", "contains", "unevaluatedItems", "additionalProperties", "propertyNames",
        "unevaluatedProperties", "not", "if", "then", "else", "contentSchema",
    ]
    private static let listSubschema: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    private static let mapSubschema: Set<String> = ["patternProperties", "dependentSchemas", "$defs", "definitions"]
}

/// Why a tool's `x-mcp-header` annotations are invalid. The tool must not be offered over HTTP:
/// drop it from `tools/list` and log `reason` as a warning naming the tool.
public struct XMCPHeaderAnnotationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `property 'region': x-mcp-header 'a b' is not an RFC 9110 token`.
    public var reason: String

    /// Creates an error.
    public init(reason: String) {
        self.reason = reason
    }

    /// The reason, with what to do.
    public var description: String {
        "invalid x-mcp-header annotation: \(reason); fix the tool's inputSchema (the tool is dropped from tools/list over HTTP)"
    }
}
