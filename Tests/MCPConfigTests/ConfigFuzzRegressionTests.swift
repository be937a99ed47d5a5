import XCTest
@testable import MCPConfig

/// Inputs that Fuzz/FuzzConfig found (Fuzz/README.md), reduced by hand to what shows each bug.
final class ConfigFuzzRegressionTests: XCTestCase {
    /// Every duplicated key made the loader parse the whole text again, so a text with many
    /// duplicates took time quadratic in its size: the fuzzer's 4 KB input of 66 `? a:` keys took
    /// 2 s under ASan. Re-parsing now stops after `DocumentParser.maxDuplicateReparseBytes` in
    /// all, and what is left is reported as one problem.
    func testManyDuplicatedKeysStopAtTheReparseBudget() {
        var text = "mcpServers:\n"
        for _ in 0..<150 { text += "  a: { command: x }\n" }
        text += "# " + String(repeating: "p", count: (8 << 10) - text.utf8.count) + "\n"
        XCTAssertGreaterThan(150 * text.utf8.count, DocumentParser.maxDuplicateReparseBytes)

        let problems = configProblems(text)
        XCTAssertEqual(problems.map(\.message), ["duplicated key(s) 'a' in the same mapping; keep only one of each"])
        XCTAssertNotNil(problems.first?.line)
    }

    /// A few duplicates are still worked around one by one and each is reported with its lines.
    func testAFewDuplicatedKeysAreStillReportedOneByOne() {
        let problems = configProblems("""
            mcpServers:
              a: { command: x }
              a: { command: y }
              a: { command: z }
            """)
        XCTAssertEqual(problems.map(\.description), [
            "test.yaml:2: mcpServers.a: defined 3 times in the same mapping (lines 2, 3, 4); keep only one",
        ])
    }

    /// Yams picks the duplicated key it reports by sorting, and a sequence used as a key ties with
    /// every scalar, so the tie fell to hash order: two loads of the same text marked different
    /// keys and gave different problems (the fuzzer's determinism check). Such duplicates are now
    /// reported as they are, sorted, without a line.
    func testDuplicatedComplexKeysGiveTheSameAnswerEveryTime() {
        let text = """
            mcpServers:
              ? [x]
              : { command: x }
              a: { command: y }
              ? [x]
              : { command: z }
              a: { command: w }
            """
        let first = configProblems(text)
        XCTAssertEqual(first.map(\.description), [
            "test.yaml: duplicated key(s) '<uncovertable>', 'a' in the same mapping; keep only one of each",
        ])
        for _ in 0..<50 {
            XCTAssertEqual(configProblems(text), first)
        }
    }

    /// `1` and `"1"` are different keys to Yams (int and str) but tie in its sort: the same
    /// ambiguity as complex keys.
    func testKeysThatDifferOnlyByTagGiveTheSameAnswerEveryTime() {
        let text = """
            mcpServers:
              1: { command: a }
              "1": { command: b }
              1: { command: c }
              "1": { command: d }
            """
        let first = configProblems(text)
        XCTAssertEqual(first.map(\.description), [
            "test.yaml: duplicated key(s) '1', '1' in the same mapping; keep only one of each",
        ])
        for _ in 0..<50 {
            XCTAssertEqual(configProblems(text), first)
        }
    }
}
