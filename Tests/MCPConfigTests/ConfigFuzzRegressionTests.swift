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

    /// Alias expansion was capped at a flat million nodes, so a 400-byte alias bomb (with a
    /// duplicated key, as the fuzzer found it) cost a million nodes: about a second under ASan,
    /// far more than linear in its size. The budget now grows with the text.
    func testAnAliasBombCostsNodesInProportionToItsSize() {
        let text = """
            a0: &a0 [x, x, x, x, x, x, x, x]
            a0: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
            a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
            a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, a2]
            a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
            a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
            a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
            a7: &a7 [A*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
            mcpServers:
              x:
                command: c
                args: *a7
            """
        let budget = ConfigTreeBuilder.budget(forTextBytes: text.utf8.count)
        XCTAssertLessThan(budget, 20_000)
        XCTAssertEqual(configProblems(text).map(\.message), [
            "the document expands to more than \(budget) values through aliases; write the values out instead of nesting aliases",
        ])
    }

    func testTheNodeBudgetGrowsWithTheTextUpToTheCap() {
        XCTAssertEqual(ConfigTreeBuilder.budget(forTextBytes: 0), ConfigTreeBuilder.minimumNodeBudget)
        XCTAssertEqual(ConfigTreeBuilder.budget(forTextBytes: 4096), 4096 * ConfigTreeBuilder.nodesPerByte)
        XCTAssertEqual(ConfigTreeBuilder.budget(forTextBytes: 1 << 30), ConfigTreeBuilder.nodeBudget)
        XCTAssertEqual(ConfigTreeBuilder.budget(forTextBytes: Int.max), ConfigTreeBuilder.nodeBudget)
    }

    /// Yams hashes every mapping key to find duplicates, and hashing a key that aliases an alias
    /// bomb walks the whole expansion: exponential time (the fuzzer's 438-byte input took 2.4 s
    /// under ASan). An alias inside a key is now refused before Yams composes the text.
    func testAnAliasInsideAMappingKeyIsRefusedBeforeComposing() {
        let text = """
            a0: &a0 [x, x, x, x, x, x, x, x]
            a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
            a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
            a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
            a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
            a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
            a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
            a7: [*a6, *a6: x]
            """
        XCTAssertEqual(configProblems(text).map(\.description), [
            "test.yaml:8: an alias (*name) is used inside a mapping key; keys must be plain names, write the key out",
        ])
        XCTAssertEqual(AliasKeyGuard.firstAliasInKey("? *a\n: x\n"), 1)
        XCTAssertEqual(AliasKeyGuard.firstAliasInKey("a: &a [1]\n? [x, {y: *a}]\n: z\n"), 2)
    }

    /// Aliases as values and merge keys (`<<: *defaults`) are not keys and still work.
    func testAliasesAsValuesAndMergeKeysStillLoad() {
        XCTAssertNil(AliasKeyGuard.firstAliasInKey("a: &a 1\nb: *a\nc: [*a, {k: *a}]\nd: {<<: *a}\n"))
        let config = loadConfig("""
            mcpServers:
              a: &base { command: run, args: [x] }
              b:
                <<: *base
                args: [y]
            """)
        XCTAssertEqual(config?.servers.map(\.name), ["a", "b"])
    }
}
