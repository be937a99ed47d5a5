/// A location in the document, printed as `mcpServers.time.args[1]`. Keys that are not plain
/// identifiers are quoted: `mcpServers["my server"].command`.
struct KeyPath: Sendable, Equatable, CustomStringConvertible {
    enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    static let root = KeyPath()

    func key(_ key: String) -> KeyPath {
        KeyPath(components: components + [.key(key)])
    }

    func index(_ index: Int) -> KeyPath {
        KeyPath(components: components + [.index(index)])
    }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                if Self.isPlain(key) {
                    text += text.isEmpty ? key : "." + key
                } else {
                    text += "[\"" + key.replacingBackslashesAndQuotes() + "\"]"
                }
            }
        }
        return text
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
            default: return false
            }
        }
    }
}

private extension String {
    func replacingBackslashesAndQuotes() -> String {
        var out = ""
        for character in self {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
