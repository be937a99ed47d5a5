/// Words a search query is widened with: a query term also matches its synonyms, at a lower
/// weight than the word itself (``ToolSearchIndex/Weights/synonym``).
///
/// People and models describe what they want in their own words ("commit history", "remove a
/// file") while tools are named after what they do (`git_log`, `delete_file`); a lexical index
/// cannot bridge that by itself. The ``standard`` table holds the few verb and noun pairs that
/// come up again and again in tool catalogs; keys and values are terms as
/// ``ToolSearchTokenizer`` produces them (lowercased, singular).
public struct ToolSearchSynonyms: Sendable {
    /// Term -> the terms it also matches.
    public let table: [String: [String]]

    /// A table of synonyms; each entry is used in the direction given (add both directions for a
    /// symmetric pair).
    public init(_ table: [String: [String]]) {
        self.table = table
    }

    /// No widening: a query matches only its own terms.
    public static let none = ToolSearchSynonyms([:])

    /// The built-in table.
    public static let standard = ToolSearchSynonyms([
        "history": ["log"],
        "log": ["history"],
        "find": ["search", "query", "lookup"],
        "search": ["find", "query", "lookup"],
        "lookup": ["find", "search"],
        "query": ["search", "find"],
        "delete": ["remove"],
        "remove": ["delete"],
        "create": ["add", "new", "make"],
        "make": ["create"],
        "new": ["create"],
        "get": ["fetch", "read", "retrieve"],
        "fetch": ["get", "retrieve"],
        "retrieve": ["get", "fetch"],
        "read": ["get"],
        "list": ["show"],
        "update": ["edit", "modify"],
        "edit": ["update", "modify"],
        "modify": ["update", "edit"],
        "run": ["execute"],
        "execute": ["run"],
        "send": ["post"],
        "message": ["mail"],
        "mail": ["message", "email"],
        "email": ["mail"],
        "clock": ["time"],
    ])

    /// The synonyms of `term` (empty when it has none).
    public func expansions(of term: String) -> [String] {
        table[term] ?? []
    }
}
