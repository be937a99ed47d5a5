import XCTest
@testable import MCPConfig

final class DocumentEdgeCaseTests: XCTestCase {
    func testAliasBombIsStopped() {
        let text = """
            l0: &l0 [x, x, x, x, x, x, x, x, x, x]
            l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
            l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
            l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
            l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
            l5: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
            l6: &l6 [*l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5]
            mcpServers: { a: { command: x } }
            """
        let problems = configProblems(text)
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems.first?.message.contains("through aliases") ?? false)
    }

    func testWindowsLineEndingsAndByteOrderMark() throws {
        let text = "\u{FEFF}mcpServers:\r\n  a:\r\n    command: x\r\n  a:\r\n    command: y\r\n"
        let problems = configProblems(text)
        XCTAssertEqual(problems.map(\.description), ["test.yaml:2: mcpServers.a: defined 2 times in the same mapping (lines 2, 4); keep only one"])
        let config = try XCTUnwrap(loadConfig("\u{FEFF}{\r\n\t\"mcpServers\": {\"a\": {\"command\": \"x\"}}\r\n}\r\n"))
        XCTAssertEqual(config.servers.map(\.name), ["a"])
    }

    func testNonStringKeysAreProblems() {
        let problems = configProblems("mcpServers:\n  ? [a, b]\n  : { command: x }\n  ok: { command: y }\n")
        XCTAssertEqual(problems.map(\.keyPath), ["mcpServers"])
        XCTAssertEqual(problems.first?.message, "keys must be plain names, found a list")
    }

    func testLongValuesAreAbbreviatedInMessages() {
        let long = String(repeating: "x", count: 100)
        let problems = configProblems("mcpServers: { a: { command: x, args: \(long) } }")
        XCTAssertEqual(problems.first?.message, "expected a list of strings, found the string \"\(String(repeating: "x", count: 37))...\"")
    }
}
