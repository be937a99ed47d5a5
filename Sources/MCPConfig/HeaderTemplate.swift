/// A header value of a remote server that uses the calling client's principal:
/// `X-User: "${principal.subject}"`. Literal parts are already `${ENV}`-expanded; the principal
/// parts are filled in per client session (see `Documentation/Governance.md`).
public struct HeaderTemplate: Sendable, Equatable, CustomStringConvertible {
    /// One piece of the value.
    public enum Part: Sendable, Equatable {
        /// Literal text.
        case text(String)
        /// `${principal.subject}`: the principal's subject (`sub` of its token).
        case subject
        /// `${principal.claims.NAME}`: a string claim of the principal's token (empty when absent).
        case claim(String)
        /// `${principal.roles}`: the principal's roles, comma-separated.
        case roles
    }

    /// The pieces, in order.
    public var parts: [Part]

    /// Creates a template from its pieces.
    public init(_ parts: [Part]) {
        self.parts = parts
    }

    /// The template as it would be written in the file.
    public var description: String {
        parts.map { part in
            switch part {
            case .text(let text): return text.replacingOccurrences(of: "$", with: "$$")
            case .subject: return "${principal.subject}"
            case .claim(let name): return "${principal.claims.\(name)}"
            case .roles: return "${principal.roles}"
            }
        }.joined()
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
