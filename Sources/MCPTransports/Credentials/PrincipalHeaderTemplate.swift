import JSONRPC

/// A header value with parts taken from the client's principal: `${principal.subject}`,
/// `${principal.claims.NAME}` and `${principal.roles}` (comma-separated), between literal text.
public struct PrincipalHeaderTemplate: Sendable, Equatable {
    /// One piece of the value.
    public enum Part: Sendable, Equatable {
        /// Literal text (already `${ENV}`-expanded).
        case text(String)
        /// The principal's subject.
        case subject
        /// A string claim of the principal's token; empty when it has none of that name.
        case claim(String)
        /// The principal's roles, sorted, joined with commas.
        case roles
    }

    /// The pieces, in order.
    public var parts: [Part]

    /// Creates a template from its pieces.
    public init(_ parts: [Part]) {
        self.parts = parts
    }

    /// The value for `principal`. Control characters (CR, LF and the like, which could smuggle
    /// headers) are dropped from what the principal contributes.
    public func render(_ principal: Principal) -> String {
        var value = ""
        for part in parts {
            switch part {
            case .text(let text): value += text
            case .subject: value += Self.headerSafe(principal.subject)
            case .claim(let name): value += Self.headerSafe(principal.claims[name] ?? "")
            case .roles: value += Self.headerSafe(principal.roles.joined(separator: ","))
            }
        }
        return value
    }

    /// `text` without control characters (a tab stays).
    static func headerSafe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) else { return text }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text.unicodeScalars.filter { !(($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F) })
        return String(out)
    }
}
