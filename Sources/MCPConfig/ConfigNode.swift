/// The parsed document as a small tree the validator walks: scalars keep their source text and
/// YAML type, mappings keep their order and 1-based lines for error messages.
struct ConfigNode: Sendable {
    /// The YAML type of a scalar, as the YAML 1.1 core resolver sees it.
    enum ScalarKind: Sendable, Equatable {
        case string
        case int(Int)
        case float(Double)
        case bool(Bool)
        case null
    }

    /// A scalar: the text as written (after YAML unquoting) and its type.
    struct Scalar: Sendable {
        var text: String
        var kind: ScalarKind
    }

    /// One `key: value` pair of a mapping.
    struct Entry: Sendable {
        var key: String
        var keyLine: Int?
        var value: ConfigNode
    }

    /// Something wrong inside a mapping that was found while building the tree (a duplicated key,
    /// a bad merge). Reported only if the validator walks that mapping.
    struct Issue: Sendable {
        var key: String?
        var line: Int?
        var message: String
    }

    /// A mapping: its entries in file order and issues found while building it.
    struct Mapping: Sendable {
        var entries: [Entry]
        var issues: [Issue]

        /// The entry for `key`, if present.
        func entry(_ key: String) -> Entry? {
            entries.first { $0.key == key }
        }
    }

    /// The node's content.
    enum Value: Sendable {
        case scalar(Scalar)
        case list([ConfigNode])
        case mapping(Mapping)
    }

    var value: Value
    var line: Int?

    /// How the node is named in "expected X, found Y" messages.
    var kindDescription: String {
        switch value {
        case .list: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let scalar):
            switch scalar.kind {
            case .string: return "the string \"\(Self.abbreviated(scalar.text))\""
            case .int, .float: return "the number \(scalar.text)"
            case .bool: return "the boolean \(scalar.text)"
            case .null: return "nothing (null)"
            }
        }
    }

    /// At most 40 characters of `text`, so a misplaced long value does not flood the message.
    static func abbreviated(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(37)) + "..."
    }

    /// Whether this is a YAML null (`null`, `~` or an empty value).
    var isNull: Bool {
        if case .scalar(let scalar) = value, scalar.kind == .null { return true }
        return false
    }
}
