import XCTest
@testable import MCPConfig

final class SyntaxHelperTests: XCTestCase {
    func testGlobSyntax() {
        for valid in ["*", "get_*", "a?c", "[abc]*", "[!a-z]x", "[]]", "[!]]", "\\[literal", "file:///tmp/*", "[a\\]]"] {
            XCTAssertNil(GlobSyntax.problem(in: valid), valid)
        }
        for invalid in ["", "get_[abc", "[", "[]", "[!]", "trailing\\", "[a\\]"] {
            XCTAssertNotNil(GlobSyntax.problem(in: invalid), invalid)
        }
    }

    func testKeyPathQuotesUnusualKeys() {
        let path = KeyPath.root.key("mcpServers").key("my.server").key("args").index(2)
        XCTAssertEqual(path.description, "mcpServers[\"my.server\"].args[2]")
        XCTAssertEqual(KeyPath.root.key("a\"b").description, "[\"a\\\"b\"]")
        XCTAssertEqual(KeyPath.root.description, "")
    }

    func testSuggestions() {
        XCTAssertEqual(KeySuggestion.closest(to: "comand", among: ["command", "args"]), "command")
        XCTAssertEqual(KeySuggestion.closest(to: "agrs", among: ["command", "args"]), "args", "a swap is one edit")
        XCTAssertEqual(KeySuggestion.closest(to: "MCPSERVERS", among: ["mcpServers"]), "mcpServers")
        XCTAssertEqual(KeySuggestion.closest(to: "warn", among: ProxySettings.logLevels), "warning")
        XCTAssertNil(KeySuggestion.closest(to: "banana", among: ["command", "args"]))
    }

    func testDuplicateMarkerInsertsAfterQuotes() {
        let marked = DuplicateKeyMarker.mark(text: "a: 1\n  \"k\": 2", line: 2, column: 3, serial: 4)
        XCTAssertEqual(marked, "a: 1\n  \"\(DuplicateKeyMarker.prefix)4_k\": 2")
        XCTAssertEqual(DuplicateKeyMarker.mark(text: "é: 1, k: 2", line: 1, column: 7, serial: 1), "é: 1, \(DuplicateKeyMarker.prefix)1_k: 2")
        XCTAssertNil(DuplicateKeyMarker.mark(text: "a", line: 3, column: 1, serial: 1))
        XCTAssertEqual(DuplicateKeyMarker.originalKey(DuplicateKeyMarker.prefix + "12_my_key"), "my_key")
        XCTAssertNil(DuplicateKeyMarker.originalKey("plain"))
    }
}
