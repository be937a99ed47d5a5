/// Turns tool names, descriptions and search queries into the terms ``ToolSearchIndex`` matches.
///
/// Text is split at every character that is neither a letter nor a digit (so `snake_case`,
/// `kebab-case`, `git__git_log` and `a.b/c` come apart), and inside words at camelCase
/// boundaries (`getCurrentTime` → get, current, time; `HTTPServer` → http, server). Terms are
/// lowercased; one-character terms and common English stop words are dropped; plural endings are
/// stripped (`commits` → commit, `branches` → branch, `directories` → directory), so the singular
/// and the plural of a word match. Names and queries go through the same steps, so whatever
/// a name is split into, a query spelled the same way is split alike.
///
/// Pure Swift: no Foundation, no locale; the same input gives the same terms everywhere.
public enum ToolSearchTokenizer {
    /// The terms of `text`, in order, duplicates kept (term frequencies count them).
    public static func terms(_ text: String) -> [String] {
        var result: [String] = []
        forEachWord(in: text) { word in
            guard let term = normalize(word) else { return }
            result.append(term)
        }
        return result
    }

    /// A word as a term: lowercased, stemmed; nil for a stop word or a word shorter than two
    /// characters.
    static func normalize(_ word: [Unicode.Scalar]) -> String? {
        guard word.count >= 2 else { return nil }
        var lower = ""
        lower.unicodeScalars.reserveCapacity(word.count)
        for scalar in word {
            if scalar.isASCII {
                let value = scalar.value
                lower.unicodeScalars.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(UInt8(truncatingIfNeeded: value + 0x20)) : scalar)
            } else {
                lower += scalar.properties.lowercaseMapping
            }
        }
        if stopWords.contains(lower) { return nil }
        return stem(lower)
    }

    /// Strips an English plural ending; other words come back unchanged.
    public static func stem(_ word: String) -> String {
        let scalars = Array(word.unicodeScalars)
        let count = scalars.count
        guard count > 3, scalars[count - 1] == "s" else { return word }
        func dropping(_ n: Int, adding suffix: String = "") -> String {
            var result = ""
            result.unicodeScalars.append(contentsOf: scalars[0..<(count - n)])
            return result + suffix
        }
        func endsWith(_ suffix: String) -> Bool {
            let tail = Array(suffix.unicodeScalars)
            return count > tail.count && Array(scalars[(count - tail.count)...]) == tail
        }
        // "ies" -> "y" (directories), "sses" -> "ss" (addresses), "xes"/"ches"/"shes" -> drop "es".
        if endsWith("ies") && count > 4 { return dropping(3, adding: "y") }
        if endsWith("sses") { return dropping(2) }
        if endsWith("xes") || endsWith("ches") || endsWith("shes") { return dropping(2) }
        // "ss", "us", "is" are not plurals (process, status, analysis).
        let before = scalars[count - 2]
        if before == "s" || before == "u" || before == "i" { return word }
        return dropping(1)
    }

    /// Calls `body` with each word of `text`: runs of letters and digits, split at camelCase
    /// boundaries.
    static func forEachWord(in text: String, _ body: ([Unicode.Scalar]) -> Void) {
        var word: [Unicode.Scalar] = []
        var previous: CharacterClass = .separator
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let current = CharacterClass(scalar)
            if current == .separator {
                if !word.isEmpty { body(word); word.removeAll(keepingCapacity: true) }
            } else {
                if !word.isEmpty && current == .upper {
                    // lower|Upper (getTime) or UPPER|Upperlower (HTTPServer: the P before "Se").
                    let nextIsLower = index + 1 < scalars.count && CharacterClass(scalars[index + 1]) == .lower
                    if previous == .lower || previous == .digit || (previous == .upper && nextIsLower) {
                        body(word)
                        word.removeAll(keepingCapacity: true)
                    }
                }
                word.append(scalar)
            }
            previous = current
        }
        if !word.isEmpty { body(word) }
    }

    /// What a character is, for splitting.
    enum CharacterClass: Equatable {
        case upper, lower, digit, separator

        init(_ scalar: Unicode.Scalar) {
            if scalar.isASCII {
                switch scalar.value {
                case 0x41...0x5A: self = .upper
                case 0x61...0x7A: self = .lower
                case 0x30...0x39: self = .digit
                default: self = .separator
                }
                return
            }
            let properties = scalar.properties
            if properties.isUppercase {
                self = .upper
            } else if properties.isAlphabetic {
                self = .lower
            } else if properties.numericType != nil {
                self = .digit
            } else {
                self = .separator
            }
        }
    }

    /// Words too common to tell tools apart.
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "given", "has", "have",
        "if", "in", "into", "is", "it", "its", "of", "on", "or", "that", "the", "their", "them", "then", "there",
        "these", "this", "to", "was", "were", "what", "when", "where", "which", "will", "with", "you", "your",
    ]
}
