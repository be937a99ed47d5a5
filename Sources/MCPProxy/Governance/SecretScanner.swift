/// The kinds of secrets the result guards recognise on their own (`redactSecrets`).
public enum SecretKind: String, Sendable, CaseIterable {
    /// A PEM private key block (`-----BEGIN ... PRIVATE KEY-----` to its `END` line).
    case privateKey = "private_key"
    /// An AWS access key id (`AKIA`, `ASIA`, `ABIA`, `ACCA` and 16 more capitals or digits).
    case awsAccessKey = "aws_access_key"
    /// A GitHub token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`).
    case githubToken = "github_token"
    /// A Slack token (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-`, `xapp-`).
    case slackToken = "slack_token"
    /// A JSON Web Token (three base64url parts, the first starting `eyJ`).
    case jwt
    /// The credential after `Bearer ` (the word is kept).
    case bearer
}

/// Finds built-in secrets in UTF-8 text with hand-written byte matchers: one pass, no regular
/// expressions, no allocation unless something is found.
public enum SecretScanner {
    /// One secret found: its kind and its byte range in the text.
    public struct Match: Sendable, Equatable {
        /// What was found.
        public var kind: SecretKind
        /// Where, as byte offsets into the text.
        public var range: Range<Int>
    }

    /// Whether `bytes` (for example a raw JSON result) contains the first bytes of any built-in
    /// secret; false means no string inside it can hold one. Escapes do not hide the anchors:
    /// they are plain ASCII letters, digits and dashes.
    public static func mayContainSecret(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { text in
            var index = 0
            while index < text.count {
                switch text[index] {
                case UInt8(ascii: "-"):
                    if has(text, at: index, "-----BEGIN") { return true }
                case UInt8(ascii: "A"):
                    if awsPrefix(text, at: index) { return true }
                case UInt8(ascii: "g"):
                    if has(text, at: index, "github_pat_") { return true }
                    if has(text, at: index, "gh"), index + 3 < text.count, text[index + 3] == UInt8(ascii: "_") { return true }
                case UInt8(ascii: "x"):
                    if has(text, at: index, "xox") || has(text, at: index, "xapp-") { return true }
                case UInt8(ascii: "e"):
                    if has(text, at: index, "eyJ") { return true }
                case UInt8(ascii: "B"), UInt8(ascii: "b"):
                    if hasIgnoringCase(text, at: index, "bearer") { return true }
                default:
                    break
                }
                index += 1
            }
            return false
        }
    }

    /// Every built-in secret in `text`, in order, not overlapping.
    public static func matches(in text: [UInt8]) -> [Match] {
        text.withUnsafeBufferPointer { text in
            var found: [Match] = []
            var index = 0
            while index < text.count {
                if let match = match(text, at: index) {
                    found.append(match)
                    index = max(match.range.upperBound, index + 1)
                } else {
                    index += 1
                }
            }
            return found
        }
    }

    /// The secret that starts at `index`, if any.
    static func match(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Match? {
        switch text[index] {
        case UInt8(ascii: "-"):
            return privateKey(text, at: index).map { Match(kind: .privateKey, range: index..<$0) }
        case UInt8(ascii: "A"):
            guard wordStart(text, index), awsPrefix(text, at: index) else { return nil }
            let end = index + 20
            guard end <= text.count, (index + 4..<end).allSatisfy({ isUpperOrDigit(text[$0]) }),
                  end == text.count || !isWord(text[end]) else { return nil }
            return Match(kind: .awsAccessKey, range: index..<end)
        case UInt8(ascii: "g"):
            guard wordStart(text, index) else { return nil }
            if has(text, at: index, "github_pat_") {
                let end = run(text, from: index + 11) { isAlnum($0) || $0 == UInt8(ascii: "_") }
                return end - (index + 11) >= 22 ? Match(kind: .githubToken, range: index..<end) : nil
            }
            guard index + 4 <= text.count, text[index + 1] == UInt8(ascii: "h"), text[index + 3] == UInt8(ascii: "_"),
                  [UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r")].contains(text[index + 2]) else { return nil }
            let end = run(text, from: index + 4, isAlnum)
            return end - (index + 4) >= 36 ? Match(kind: .githubToken, range: index..<end) : nil
        case UInt8(ascii: "x"):
            guard wordStart(text, index) else { return nil }
            let bodyStart: Int
            if has(text, at: index, "xapp-") {
                bodyStart = index + 5
            } else if has(text, at: index, "xox"), index + 5 <= text.count, isLower(text[index + 3]), text[index + 4] == UInt8(ascii: "-") {
                bodyStart = index + 5
            } else {
                return nil
            }
            let end = run(text, from: bodyStart) { isAlnum($0) || $0 == UInt8(ascii: "-") }
            return end - bodyStart >= 10 ? Match(kind: .slackToken, range: index..<end) : nil
        case UInt8(ascii: "e"):
            guard wordStart(text, index), has(text, at: index, "eyJ") else { return nil }
            let header = run(text, from: index, isBase64URL)
            guard header - index >= 10, header < text.count, text[header] == UInt8(ascii: ".") else { return nil }
            let payload = run(text, from: header + 1, isBase64URL)
            guard payload - header - 1 >= 2, payload < text.count, text[payload] == UInt8(ascii: ".") else { return nil }
            let signature = run(text, from: payload + 1, isBase64URL)
            return Match(kind: .jwt, range: index..<signature)
        case UInt8(ascii: "B"), UInt8(ascii: "b"):
            guard wordStart(text, index), hasIgnoringCase(text, at: index, "bearer") else { return nil }
            let spaces = run(text, from: index + 6) { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard spaces > index + 6 else { return nil }
            var end = run(text, from: spaces, isTokenChar)
            end = run(text, from: end) { $0 == UInt8(ascii: "=") }
            return end - spaces >= 12 ? Match(kind: .bearer, range: spaces..<end) : nil
        default:
            return nil
        }
    }

    /// The end of a PEM private key block starting at `index` (or the end of the text when its
    /// END line is missing, so a truncated key is still hidden).
    private static func privateKey(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        guard has(text, at: index, "-----BEGIN ") else { return nil }
        // The label: capitals and spaces, ending in "PRIVATE KEY-----".
        let label = run(text, from: index + 11) { isUpper($0) || $0 == UInt8(ascii: " ") }
        guard label >= index + 11 + 11, has(text, at: label - 11, "PRIVATE KEY"), has(text, at: label, "-----") else { return nil }
        var cursor = label + 5
        while cursor < text.count {
            if text[cursor] == UInt8(ascii: "-"), has(text, at: cursor, "-----END ") {
                let endLabel = run(text, from: cursor + 9) { isUpper($0) || $0 == UInt8(ascii: " ") }
                if has(text, at: endLabel, "-----") { return endLabel + 5 }
            }
            cursor += 1
        }
        return text.count
    }

    // MARK: Bytes

    private static func awsPrefix(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        has(text, at: index, "AKIA") || has(text, at: index, "ASIA") || has(text, at: index, "ABIA") || has(text, at: index, "ACCA")
    }

    static func has(_ text: UnsafeBufferPointer<UInt8>, at index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index >= 0, index + count <= text.count else { return false }
        let bytes = literal.utf8Start
        for offset in 0..<count where text[index + offset] != bytes[offset] { return false }
        return true
    }

    private static func hasIgnoringCase(_ text: UnsafeBufferPointer<UInt8>, at index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= text.count else { return false }
        let bytes = literal.utf8Start
        for offset in 0..<count where text[index + offset] | 0x20 != bytes[offset] { return false }
        return true
    }

    /// The first index from `start` whose byte fails `accept`.
    private static func run(_ text: UnsafeBufferPointer<UInt8>, from start: Int, _ accept: (UInt8) -> Bool) -> Int {
        var index = start
        while index < text.count, accept(text[index]) { index += 1 }
        return index
    }

    /// Whether no word character precedes `index`.
    private static func wordStart(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        index == 0 || !isWord(text[index - 1])
    }

    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isUpperOrDigit(_ byte: UInt8) -> Bool { isUpper(byte) || isDigit(byte) }
    private static func isAlnum(_ byte: UInt8) -> Bool { isUpper(byte) || isLower(byte) || isDigit(byte) }
    private static func isWord(_ byte: UInt8) -> Bool { isAlnum(byte) || byte == UInt8(ascii: "_") }
    private static func isBase64URL(_ byte: UInt8) -> Bool { isAlnum(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") }
    /// RFC 6750 `b64token` characters.
    private static func isTokenChar(_ byte: UInt8) -> Bool {
        isAlnum(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
    }
}
