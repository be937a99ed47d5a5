/// An RFC 6570 URI template (levels 1 to 3, plus the explode modifier) used to test whether a
/// concrete URI could have been produced from it.
///
/// Literal parts must match exactly. Each expression matches what its expansion could produce:
///
/// | expression | matches |
/// |---|---|
/// | `{var}` | one or more characters other than `/ ? #` and `,` (`,` allowed for `{x,y}` and `{var*}`) |
/// | `{+var}` | one or more of any character, `/` included |
/// | `{#var}` | nothing, or `#` followed by anything |
/// | `{.var}` | nothing, or `.` followed by characters other than `/ ? #` |
/// | `{/var}` | nothing, or `/` followed by characters other than `/ ? #` (`/` allowed for lists and `*`) |
/// | `{;var}` | nothing, or `;` followed by characters other than `/ ? #` |
/// | `{?var}`, `{&var}` | nothing, or `?` / `&` followed by characters other than `#` |
///
/// Prefix modifiers (`{var:3}`) are accepted and their length ignored; an unclosed `{` is literal text.
/// Matching is a dynamic programme over (template part, position): O(parts × length), no recursion.
public struct URITemplate: Sendable, Equatable, CustomStringConvertible {
    /// The template text as given.
    public let template: String

    /// One expression, reduced to what matching needs.
    struct Expression: Sendable, Equatable {
        /// The operator's leading character (`#`, `.`, `/`, `;`, `?`, `&`), or nil.
        var lead: UInt8?
        /// ASCII bytes the expanded value cannot contain, as a 128-bit map.
        var excludedLow: UInt64
        var excludedHigh: UInt64
        /// Whether the value part must be non-empty.
        var nonEmpty: Bool
        /// Whether the whole expression may expand to nothing.
        var optional: Bool

        func allows(_ byte: UInt8) -> Bool {
            if byte >= 128 { return true }
            if byte < 64 { return excludedLow & (1 << UInt64(byte)) == 0 }
            return excludedHigh & (1 << UInt64(byte - 64)) == 0
        }
    }

    enum Part: Sendable, Equatable {
        case literal([UInt8])
        case expression(Expression)
    }

    let parts: [Part]

    /// Parses `template`. Never fails: anything that is not a well-formed expression is literal text.
    public init(_ template: String) {
        self.template = template
        let bytes = Array(template.utf8)
        var parts: [Part] = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "{"), let close = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: "}")) {
                if !literal.isEmpty {
                    parts.append(.literal(literal))
                    literal = []
                }
                parts.append(.expression(Self.expression(bytes[(i + 1)..<close])))
                i = close + 1
            } else {
                literal.append(bytes[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// Reduces the text between `{` and `}` to an `Expression`.
    private static func expression(_ body: ArraySlice<UInt8>) -> Expression {
        var body = body
        var op: UInt8 = 0
        if let first = body.first, "+#./;?&=,!@|".utf8.contains(first) {
            op = first
            body = body.dropFirst()
        }
        let variables = body.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        let listLike = variables.count > 1 || variables.contains { $0.last == UInt8(ascii: "*") }

        func excluding(_ characters: String) -> (UInt64, UInt64) {
            var low: UInt64 = 0
            var high: UInt64 = 0
            for byte in characters.utf8 {
                if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
            }
            return (low, high)
        }
        let (low, high): (UInt64, UInt64)
        switch op {
        case UInt8(ascii: "+"):
            (low, high) = excluding("")
            return Expression(lead: nil, excludedLow: low, excludedHigh: high, nonEmpty: true, optional: false)
        case UInt8(ascii: "#"):
            (low, high) = excluding("")
        case UInt8(ascii: "."), UInt8(ascii: ";"):
            (low, high) = excluding("/?#")
        case UInt8(ascii: "/"):
            (low, high) = excluding(listLike ? "?#" : "/?#")
        case UInt8(ascii: "?"), UInt8(ascii: "&"):
            (low, high) = excluding("#")
        default:
            (low, high) = excluding(listLike ? "/?#" : "/?#,")
            return Expression(lead: nil, excludedLow: low, excludedHigh: high, nonEmpty: true, optional: false)
        }
        return Expression(lead: op, excludedLow: low, excludedHigh: high, nonEmpty: false, optional: true)
    }

    /// The template text.
    public var description: String { template }

    /// Two templates are equal when their text is equal.
    public static func == (lhs: URITemplate, rhs: URITemplate) -> Bool {
        lhs.template == rhs.template
    }

    /// Whether `uri` could be an expansion of this template.
    public func matches(_ uri: String) -> Bool {
        UTF8Buffer.with(uri) { matches(buffer: $0) }
    }

    /// Whether the UTF-8 bytes of a URI could be an expansion of this template.
    @inlinable
    public func matches<C: Collection>(utf8 uri: C) -> Bool where C.Element == UInt8 {
        UTF8Buffer.with(uri) { matches(buffer: $0) }
    }

    /// The dynamic programme: `reach[q]` says the parts so far can consume exactly `input[0..<q]`.
    @usableFromInline
    func matches(buffer input: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = input.count
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: 2 * (n + 1)) { scratch in
            guard let base = scratch.baseAddress else { return false }
            var reach = base
            var next = base + (n + 1)
            reach.initialize(repeating: false, count: n + 1)
            next.initialize(repeating: false, count: n + 1)
            reach[0] = true
            for part in parts {
                var any = false
                switch part {
                case .literal(let literal):
                    let length = literal.count
                    literal.withUnsafeBufferPointer { literal in
                        for q in 0...n {
                            let p = q - length
                            let hit = p >= 0 && reach[p] && UTF8Buffer.equal(input, at: p, literal)
                            next[q] = hit
                            any = any || hit
                        }
                    }
                case .expression(let expression):
                    // live: some start s <= q has all of input[s..<q] allowed.
                    var live = false
                    var liveBefore = false
                    for q in 0...n {
                        let start: Bool
                        if let lead = expression.lead {
                            start = q >= 1 && reach[q - 1] && input[q - 1] == lead
                        } else {
                            start = reach[q]
                        }
                        let extended = q >= 1 && liveBefore && expression.allows(input[q - 1])
                        live = start || extended
                        var hit = expression.nonEmpty ? extended : live
                        if expression.optional, reach[q] { hit = true }
                        next[q] = hit
                        any = any || hit
                        liveBefore = live
                    }
                }
                guard any else { return false }
                swap(&reach, &next)
            }
            return reach[n]
        }
    }
}
