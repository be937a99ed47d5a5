import Yams

/// Turns a composed Yams `Node` into a ``ConfigNode`` tree: resolves scalar types, applies YAML
/// merge keys (`<<: *anchor`), records keys that were duplicated in the text (see
/// ``DuplicateKeyMarker``) and stops expanding aliases past a node budget.
struct ConfigTreeBuilder {
    /// The most nodes a document may expand to (aliases can multiply a small text).
    static let nodeBudget = 1_000_000
    /// Nodes allowed per byte of text, and at least, below ``nodeBudget``: the budget grows with
    /// the text, so expanding aliases costs time linear in its size. A flat million let a 400-byte
    /// alias bomb cost a million nodes, about a second under ASan (found by Fuzz/FuzzConfig).
    static let nodesPerByte = 32
    static let minimumNodeBudget = 10_000

    /// The budget for a text of `byteCount` UTF-8 bytes.
    static func budget(forTextBytes byteCount: Int) -> Int {
        let (scaled, overflow) = byteCount.multipliedReportingOverflow(by: nodesPerByte)
        return overflow ? nodeBudget : min(nodeBudget, max(minimumNodeBudget, scaled))
    }

    /// The most nodes this builder builds.
    let budget: Int
    private(set) var nodeCount = 0
    private(set) var exceededBudget = false

    init(budget: Int = ConfigTreeBuilder.nodeBudget) {
        self.budget = budget
    }

    mutating func build(_ node: Node) -> ConfigNode {
        nodeCount += 1
        if nodeCount > budget {
            exceededBudget = true
            return ConfigNode(value: .scalar(.init(text: "", kind: .null)), line: node.mark?.line)
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(value: .scalar(Self.scalar(node, text: scalar.string)), line: scalar.mark?.line)
        case .alias(let alias):
            return ConfigNode(value: .scalar(.init(text: "*" + alias.anchor.rawValue, kind: .string)), line: alias.mark?.line)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(build(item)) }
            return ConfigNode(value: .list(items), line: sequence.mark?.line)
        case .mapping(let mapping):
            return ConfigNode(value: .mapping(buildMapping(mapping)), line: mapping.mark?.line)
        }
    }

    private static func scalar(_ node: Node, text: String) -> ConfigNode.Scalar {
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .int: return .init(text: text, kind: node.int.map { .int($0) } ?? .string)
        case .float: return .init(text: text, kind: node.float.map { .float($0) } ?? .string)
        case .bool: return .init(text: text, kind: node.bool.map { .bool($0) } ?? .string)
        case .null: return .init(text: text, kind: .null)
        default: return .init(text: text, kind: .string)
        }
    }

    private static func isMergeKey(_ node: Node) -> Bool {
        node.tag.rawValue == Tag.Name.merge.rawValue
    }

    private static func keyText(_ node: Node) -> String? {
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }

    private mutating func buildMapping(_ mapping: Node.Mapping) -> ConfigNode.Mapping {
        var result = ConfigNode.Mapping(entries: [], issues: [])
        var explicitKeys = Set<String>()
        var duplicateLines: [String: [Int?]] = [:]
        var duplicateOrder: [String] = []
        for (key, _) in mapping {
            guard let text = Self.keyText(key), !Self.isMergeKey(key) else { continue }
            if let original = DuplicateKeyMarker.originalKey(text) {
                if duplicateLines[original] == nil { duplicateOrder.append(original) }
                duplicateLines[original, default: []].append(key.mark?.line)
            } else {
                explicitKeys.insert(text)
            }
        }
        var merged = Set<String>()
        for (key, value) in mapping {
            guard let text = Self.keyText(key) else {
                result.issues.append(.init(key: nil, line: key.mark?.line,
                                           message: "keys must be plain names, found \(build(key).kindDescription)"))
                continue
            }
            if Self.isMergeKey(key) {
                for entry in mergedEntries(value, keyLine: key.mark?.line, issues: &result.issues)
                where !explicitKeys.contains(entry.key) && !merged.contains(entry.key) {
                    merged.insert(entry.key)
                    result.entries.append(entry)
                }
                continue
            }
            if DuplicateKeyMarker.originalKey(text) != nil { continue }
            result.entries.append(.init(key: text, keyLine: key.mark?.line, value: build(value)))
        }
        for original in duplicateOrder {
            let survivor = result.entries.first { $0.key == original }?.keyLine
            let lines = (duplicateLines[original] ?? []) + [survivor]
            let known = lines.compactMap { $0 }
            let whereText = known.count == lines.count
                ? " (lines " + known.map(String.init).joined(separator: ", ") + ")"
                : ""
            result.issues.append(.init(
                key: original, line: lines.first ?? nil,
                message: "defined \(lines.count) times in the same mapping\(whereText); keep only one"))
        }
        return result
    }

    /// The entries a merge key (`<<`) brings in: from one mapping, or from a list of mappings
    /// where earlier ones take precedence.
    private mutating func mergedEntries(_ value: Node, keyLine: Int?, issues: inout [ConfigNode.Issue]) -> [ConfigNode.Entry] {
        let sources: [Node]
        switch value {
        case .mapping: sources = [value]
        case .sequence(let sequence): sources = Array(sequence)
        default: sources = [value]
        }
        var entries: [ConfigNode.Entry] = []
        var seen = Set<String>()
        for source in sources {
            let built = build(source)
            guard case .mapping(let mapping) = built.value else {
                issues.append(.init(key: "<<", line: keyLine,
                                    message: "a merge key needs a mapping or a list of mappings (e.g. <<: *defaults), found \(built.kindDescription)"))
                continue
            }
            issues.append(contentsOf: mapping.issues)
            for entry in mapping.entries where !seen.contains(entry.key) {
                seen.insert(entry.key)
                entries.append(entry)
            }
        }
        return entries
    }
}
