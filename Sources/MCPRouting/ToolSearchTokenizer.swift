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
        var lower: [Unicode.Scalar] = []
        lower.reserveCapacity(32)
        forEachWord(in: text) { word in
            guard let term = normalize(word, buffer: &lower) else { return }
            result.append(term)
        }
        return result
    }

    /// A word as a term: lowercased, stemmed; nil for a stop word or a word shorter than two
    /// characters. `buffer` is scratch space, reused between words.
    static func normalize(_ word: ArraySlice<Unicode.Scalar>, buffer lower: inout [Unicode.Scalar]) -> String? {
        guard word.count >= 2 else { return nil }
        lower.removeAll(keepingCapacity: true)
        for scalar in word {
            let value = scalar.value
            if value < 0x80 {
                lower.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(UInt8(truncatingIfNeeded: value + 0x20)) : scalar)
            } else {
                lower.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        // Terms are mostly short: strings of up to 15 UTF-8 bytes are stored inline, unallocated.
        var whole = ""
        whole.unicodeScalars.append(contentsOf: lower)
        if stopWords.contains(whole) { return nil }
        let (kept, suffix) = stemmed(lower)
        if kept == lower.count && suffix == nil { return whole }
        var term = ""
        term.unicodeScalars.append(contentsOf: lower[..<kept])
        if let suffix { term.unicodeScalars.append(suffix) }
        return term
    }

    /// Strips an English plural ending; other words come back unchanged.
    public static func stem(_ word: String) -> String {
        let scalars = Array(word.unicodeScalars)
        let (kept, suffix) = stemmed(scalars)
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars[..<kept])
        if let suffix { result.unicodeScalars.append(suffix) }
        return result
    }

    /// How much of a lowercased word its singular keeps, and the letter it adds ("ies" -> "y").
    static func stemmed(_ scalars: [Unicode.Scalar]) -> (kept: Int, add: Unicode.Scalar?) {
        let count = scalars.count
        guard count > 3, scalars[count - 1] == "s" else { return (count, nil) }
        func endsWith(_ suffix: StaticString) -> Bool {
            let length = suffix.utf8CodeUnitCount
            guard count > length else { return false }
            let bytes = UnsafeBufferPointer(start: suffix.utf8Start, count: length)
            for offset in 0..<length where scalars[count - length + offset].value != UInt32(bytes[offset]) { return false }
            return true
        }
        // "ies" -> "y" (directories), "sses" -> "ss" (addresses), "xes"/"ches"/"shes" -> drop "es".
        if endsWith("ies") && count > 4 { return (count - 3, "y") }
        if endsWith("sses") { return (count - 2, nil) }
        if endsWith("xes") || endsWith("ches") || endsWith("shes") { return (count - 2, nil) }
        // "ss", "us", "is" are not plurals (process, status, analysis).
        let before = scalars[count - 2]
        if before == "s" || before == "u" || before == "i" { return (count, nil) }
        return (count - 1, nil)
    }

    /// Calls `body` with each word of `text`: runs of letters and digits, split at camelCase
    /// boundaries.
    static func forEachWord(in text: String, _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        var word: [Unicode.Scalar] = []
        word.reserveCapacity(32)
        var previous: CharacterClass = .separator
        var iterator = text.unicodeScalars.makeIterator()
        var next = iterator.next()
        while let scalar = next {
            next = iterator.next()
            let current = CharacterClass(scalar)
            if current == .separator {
                if !word.isEmpty { body(word[...]); word.removeAll(keepingCapacity: true) }
            } else {
                if !word.isEmpty && current == .upper {
                    // lower|Upper (getTime) or UPPER|Upperlower (HTTPServer: the P before "Se").
                    let nextIsLower = next.map { CharacterClass($0) == .lower } ?? false
                    if previous == .lower || previous == .digit || (previous == .upper && nextIsLower) {
                        body(word[...])
                        word.removeAll(keepingCapacity: true)
                    }
                }
                word.append(scalar)
            }
            previous = current
        }
        if !word.isEmpty { body(word[...]) }
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
