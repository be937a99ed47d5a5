import XCTest

@testable import MCPRouting

final class GlobPatternTests: XCTestCase {
    /// Expected results computed with Python 3.11 `fnmatch.fnmatchcase(string, pattern)` for patterns
    /// where the two syntaxes agree (no backslashes, no `[^`, no unclosed `[`).
    func testMatchesLikePythonFnmatchcase() throws {
        let cases: [(pattern: String, string: String, expected: Bool)] = [
            ("", "", true),
            ("", "a", false),
            ("abc", "abc", true),
            ("abc", "abd", false),
            ("abc", "ab", false),
            ("*", "", true),
            ("*", "any/thing/with/slashes", true),
            ("a*", "a", true),
            ("a*", "ba", false),
            ("*c", "abc", true),
            ("*c", "abcd", false),
            ("a*c", "ac", true),
            ("a*c", "a/b/c", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "a/c", true),
            ("?", "é", true),
            ("??", "é", false),
            ("?", "😀", true),
            ("a?b", "a😀b", true),
            ("[abc]", "b", true),
            ("[abc]", "d", false),
            ("[a-z]x", "qx", true),
            ("[a-z]", "Q", false),
            ("[!a-z]", "Q", true),
            ("[!a-z]", "q", false),
            ("[]]", "]", true),
            ("[]a]", "a", true),
            ("[!]]", "]", false),
            ("[!]]", "x", true),
            ("[a-]", "-", true),
            ("[-a]", "-", true),
            ("[z-a]", "m", false),
            ("[α-ω]", "λ", true),
            ("[!α-ω]", "λ", false),
            ("[!α-ω]", "a", true),
            ("*.txt", "notes.txt", true),
            ("*.txt", "notes.txt.bak", false),
            ("tools/*", "tools/call", true),
            ("*a*b*c*", "xaxbxcx", true),
            ("*a*b*c*", "xaxcxbx", false),
            ("a*b*c", "abcbc", true),
            ("*ab", "aab", true),
            ("a[*]b", "a*b", true),
            ("a[*]b", "axb", false),
            ("[?]", "?", true),
            ("[?]", "x", false),
            ("[[]", "[", true),
            ("café", "café", true),
            ("cafe\u{301}", "café", false),
            ("*é", "café", true),
            ("**", "", true),
            ("a**b", "ab", true),
            ("[a-c-e]", "-", true),
            ("[a-c-e]", "d", false),
            ("[a-c-e]", "e", true),
            ("*x", "xxxx", true),
            ("a[b-d]*[!x]", "acZZy", true),
            ("a[b-d]*[!x]", "acZZx", false),
            ("*😀*", "hi😀there", true),
            ("[😀-😂]", "😁", true),
            ("git__*", "git__status", true),
            ("resources/*", "resources", false),
            ("*/*", "a/b", true),
            ("?*?", "ab", true),
            ("?*?", "a", false),
            ("a\nb", "a\nb", true),
            ("*", "line\nbreak", true),
        ]
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        for (pattern, string, expected) in cases {
            let glob = try GlobPattern(pattern)
            XCTAssertEqual(glob.matches(string), expected, "pattern \(pattern.debugDescription) on \(string.debugDescription)")
            XCTAssertEqual(
                glob.matches(utf8: Array(string.utf8)), expected,
                "bytes: pattern \(pattern.debugDescription) on \(string.debugDescription)")
            // A collection without contiguous storage takes the copying path.
            XCTAssertEqual(
                glob.matches(utf8: string.utf8.lazy.map { $0 }), expected,
                "lazy bytes: pattern \(pattern.debugDescription) on \(string.debugDescription)")
        }
    }

    func testBackslashEscapesUnlikePython() throws {
        let star = try GlobPattern(#"a\*b"#)
        XCTAssertTrue(star.matches("a*b"))
        XCTAssertFalse(star.matches("axb"))
        XCTAssertFalse(star.matches(#"a\xb"#))
        XCTAssertTrue(try GlobPattern(#"\?"#).matches("?"))
        XCTAssertFalse(try GlobPattern(#"\?"#).matches("x"))
        XCTAssertTrue(try GlobPattern(#"\["#).matches("["))
        XCTAssertTrue(try GlobPattern(#"a\\b"#).matches(#"a\b"#))
        XCTAssertTrue(try GlobPattern(#"\q"#).matches("q"))
        // Inside brackets too.
        let bracket = try GlobPattern(#"[\]x]"#)
        XCTAssertTrue(bracket.matches("]"))
        XCTAssertTrue(bracket.matches("x"))
        XCTAssertFalse(bracket.matches(#"\"#))
        XCTAssertTrue(try GlobPattern(#"[a\-z]"#).matches("-"))
        XCTAssertFalse(try GlobPattern(#"[a\-z]"#).matches("m"))
    }

    func testCaretNegatesLikeGlibc() throws {
        let glob = try GlobPattern("[^a-c]x")
        XCTAssertTrue(glob.matches("dx"))
        XCTAssertFalse(glob.matches("bx"))
        XCTAssertTrue(glob.matches("^x"), "'^' is outside a-c, not a member")
        let notCaret = try GlobPattern("[^^]")
        XCTAssertTrue(notCaret.matches("a"))
        XCTAssertFalse(notCaret.matches("^"))
    }

    func testMalformedPatternsThrowWithAdvice() {
        for (pattern, position) in [("[abc", 0), ("ab[", 2), ("x[]", 1), ("[!]", 0), (#"[a\"#, 0), ("é[", 1)] {
            XCTAssertThrowsError(try GlobPattern(pattern), pattern) { error in
                XCTAssertEqual(error as? GlobPatternError, .unterminatedBracket(pattern: pattern, position: position))
                let message = String(describing: error)
                XCTAssertTrue(message.contains("never closed"), message)
                XCTAssertTrue(message.contains(pattern), message)
            }
        }
        XCTAssertThrowsError(try GlobPattern(#"abc\"#)) { error in
            XCTAssertEqual(error as? GlobPatternError, .trailingBackslash(pattern: #"abc\"#))
            XCTAssertTrue(String(describing: error).contains("lone backslash"))
        }
    }

    func testFastPathShapes() throws {
        XCTAssertEqual(try GlobPattern("tools/call").program.shape, .literal)
        XCTAssertEqual(try GlobPattern(#"a\*"#).program.shape, .literal)
        XCTAssertEqual(try GlobPattern("*").program.shape, .anything)
        XCTAssertEqual(try GlobPattern("***").program.shape, .anything)
        XCTAssertEqual(try GlobPattern("git*").program.shape, .prefix)
        XCTAssertEqual(try GlobPattern("*.md").program.shape, .suffix)
        XCTAssertEqual(try GlobPattern("*secret*").program.shape, .contains)
        XCTAssertEqual(try GlobPattern("a*b").program.shape, .general)

        let contains = try GlobPattern("*ég*")
        XCTAssertTrue(contains.matches("légume"))
        XCTAssertFalse(contains.matches("legume"))
        XCTAssertTrue(try GlobPattern("**").matches("x"))
        XCTAssertTrue(try GlobPattern("*long-literal-over-eight*").matches("a long-literal-over-eight b"))
        XCTAssertFalse(try GlobPattern("*long-literal-over-eight*").matches("a long-literal-over-eigh"))
        XCTAssertTrue(try GlobPattern("a-sixteen-byte-prefix*").matches("a-sixteen-byte-prefix/x"))
        XCTAssertFalse(try GlobPattern("a-sixteen-byte-prefix*").matches("a-sixteen-byte-prefiX/x"))
        XCTAssertFalse(try GlobPattern("*.md").matches("md"))
    }

    func testEqualityAndDescriptionUseThePatternText() throws {
        XCTAssertEqual(try GlobPattern("a*"), try GlobPattern("a*"))
        XCTAssertNotEqual(try GlobPattern("a*"), try GlobPattern("a**"))
        XCTAssertEqual(try GlobPattern("a*").pattern, "a*")
        XCTAssertEqual(String(describing: try GlobPattern("x?")), "x?")
    }

    func testInvalidUTF8InputDoesNotCrashAndStaysConsistent() throws {
        let bytes: [UInt8] = [0x61, 0xC3, 0x62, 0xFF, 0xE2, 0x82]  // a, truncated 2-byte, b, invalid, truncated 3-byte
        XCTAssertTrue(try GlobPattern("a*").matches(utf8: bytes))
        XCTAssertTrue(try GlobPattern("a?b??").matches(utf8: bytes))
        XCTAssertFalse(try GlobPattern("a?b?").matches(utf8: bytes))
        XCTAssertTrue(try GlobPattern("*b*").matches(utf8: bytes))
        XCTAssertTrue(try GlobPattern("a[!x]b[!x]*").matches(utf8: bytes))
    }

    func testPathologicalPatternIsFast() throws {
        let glob = try GlobPattern("a*a*a*a*a*b")
        let long = String(repeating: "a", count: 20_000)
        let clock = ContinuousClock()
        var result = true
        let elapsed = clock.measure { result = glob.matches(long) }
        XCTAssertFalse(result)
        XCTAssertLessThan(elapsed, .seconds(1), "backtracking must stay near-linear")
        XCTAssertTrue(glob.matches(long + "b"))
        let question = try GlobPattern("*?*?*?*?*?*?x")
        XCTAssertFalse(question.matches(String(repeating: "é", count: 5_000)))
    }
}
