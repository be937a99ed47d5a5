import XCTest

@testable import MCPRouting

final class NamespacerTests: XCTestCase {
    let namespacer = Namespacer()

    func testPrefixAndNone() {
        XCTAssertEqual(namespacer.exposedName(original: "status", style: .upstreamPrefix("git")), "git__status")
        XCTAssertEqual(namespacer.exposedName(original: "status", style: .prefix("git", separator: ".")), "git.status")
        XCTAssertEqual(namespacer.exposedName(original: "status", style: .none), "status")
    }

    func testSanitisesEveryDisallowedScalar() {
        XCTAssertEqual(namespacer.exposedName(original: "read file/é:x", style: .none), "read_file___x")
        XCTAssertEqual(namespacer.exposedName(original: "a.b-c_D9", style: .none), "a.b-c_D9")
        XCTAssertEqual(namespacer.exposedName(original: "x", style: .upstreamPrefix("my server")), "my_server__x")
        XCTAssertEqual(namespacer.exposedName(original: "😀", style: .none), "_")
    }

    func testLongNamesGetDeterministicBoundedAliases() {
        let long = String(repeating: "very_long_tool_name_", count: 5)
        let alias = namespacer.exposedName(original: long, style: .upstreamPrefix("upstream"))
        XCTAssertEqual(alias.utf8.count, 64)
        XCTAssertTrue(alias.hasPrefix("upstream__very_long_tool_name_"))
        let suffix = alias.suffix(9)
        XCTAssertEqual(suffix.first, "-")
        XCTAssertTrue(suffix.dropFirst().allSatisfy { "0123456789abcdef".contains($0) }, alias)
        // Deterministic: the same in a fresh namespacer (no per-process seed).
        XCTAssertEqual(Namespacer().exposedName(original: long, style: .upstreamPrefix("upstream")), alias)
        // The hash is FNV-1a 64 of the full name, folded to 32 bits.
        let hash = FNV1a.hash(("upstream__" + long).utf8)
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        XCTAssertEqual(String(suffix.dropFirst()), String(folded, radix: 16).leftPadded(to: 8))
    }

    func testDistinctLongNamesGetDistinctAliases() {
        let base = String(repeating: "x", count: 80)
        let a = namespacer.exposedName(original: base + "a", style: .none)
        let b = namespacer.exposedName(original: base + "b", style: .none)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a.dropLast(9), b.dropLast(9))
        // Names that differ only in characters sanitised away still get different aliases.
        let c = namespacer.exposedName(original: base + "/", style: .none)
        let d = namespacer.exposedName(original: base + ":", style: .none)
        XCTAssertNotEqual(c, d)
    }

    func testExactlyMaxLengthIsKept() {
        let name = String(repeating: "n", count: 64)
        XCTAssertEqual(namespacer.exposedName(original: name, style: .none), name)
        XCTAssertEqual(namespacer.exposedName(original: name + "n", style: .none).utf8.count, 64)
    }

    func testCustomAndMinimumLength() {
        let short = Namespacer(maxLength: 20)
        let alias = short.exposedName(original: String(repeating: "a", count: 30), style: .none)
        XCTAssertEqual(alias.utf8.count, 20)
        XCTAssertEqual(Namespacer(maxLength: 3).maxLength, Namespacer.minimumLength)
    }

    func testFNV1aVectors() {
        XCTAssertEqual(FNV1a.hash([UInt8]()), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(FNV1a.hash("a".utf8), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(FNV1a.hash("foobar".utf8), 0x8594_4171_f739_67e8)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
