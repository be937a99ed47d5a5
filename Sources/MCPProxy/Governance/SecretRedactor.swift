/// Replaces secrets in text with `[REDACTED:<kind>]`: the built-in kinds (``SecretScanner``)
/// when `builtIn` is on, then each extra pattern (kind `custom`).
public struct SecretRedactor: Sendable {
    /// Whether the built-in kinds are redacted.
    public let builtIn: Bool
    /// The extra patterns' source text, as configured.
    public let patterns: [String]
    private let compiled: [CompiledPattern]

    /// One extra pattern, compiled once. `Regex` is not `Sendable`; it is immutable once built
    /// and only ever read, so sharing it between tasks is safe.
    private struct CompiledPattern: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
    }

    /// Creates a redactor; throws when an extra pattern is not a valid regular expression.
    public init(builtIn: Bool, patterns: [String]) throws {
        self.builtIn = builtIn
        self.patterns = patterns
        self.compiled = try patterns.map { CompiledPattern(regex: try Regex($0)) }
    }

    /// Whether it redacts anything at all.
    public var isActive: Bool { builtIn || !compiled.isEmpty }

    /// Whether a document's raw bytes may hold something to redact: always with extra patterns,
    /// else only when a built-in secret's first bytes appear.
    public func mayRedact(_ raw: [UInt8]) -> Bool {
        if !compiled.isEmpty { return true }
        return builtIn && SecretScanner.mayContainSecret(raw)
    }

    /// `text` with every secret replaced; `counts` gains one per redaction, by kind (the raw
    /// value of ``SecretKind``, or `custom`). Returns nil when nothing was found.
    public func redact(_ text: String, counts: inout [String: Int]) -> String? {
        var current = text
        var changed = false
        if builtIn {
            let bytes = Array(current.utf8)
            let found = SecretScanner.matches(in: bytes)
            if !found.isEmpty {
                var out: [UInt8] = []
                out.reserveCapacity(bytes.count)
                var cursor = 0
                for match in found {
                    out += bytes[cursor..<match.range.lowerBound]
                    out += Array("[REDACTED:\(match.kind.rawValue)]".utf8)
                    cursor = match.range.upperBound
                    counts[match.kind.rawValue, default: 0] += 1
                }
                out += bytes[cursor...]
                current = String(decoding: out, as: UTF8.self)
                changed = true
            }
        }
        for pattern in compiled {
            var found = 0
            let replaced = current.replacing(pattern.regex) { match -> String in
                // A match of nothing is left alone (the config refuses such patterns).
                if match.range.isEmpty { return String(current[match.range]) }
                found += 1
                return "[REDACTED:custom]"
            }
            if found > 0 {
                counts["custom", default: 0] += found
                current = replaced
                changed = true
            }
        }
        return changed ? current : nil
    }
}
