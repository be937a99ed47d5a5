import XCTest

import MCPRouting

final class NameFilterTests: XCTestCase {
    func testNilAllowPermitsAllButDenied() throws {
        let filter = try NameFilter(allow: nil, deny: ["delete_*", "drop"])
        XCTAssertTrue(filter.permits("read_file"))
        XCTAssertFalse(filter.permits("delete_file"))
        XCTAssertFalse(filter.permits("drop"))
        XCTAssertTrue(filter.permits("dropped"))
    }

    func testAllowListAndDenyWins() throws {
        let filter = try NameFilter(allow: ["git_*", "search"], deny: ["git_push"])
        XCTAssertTrue(filter.permits("git_status"))
        XCTAssertTrue(filter.permits("search"))
        XCTAssertFalse(filter.permits("git_push"))
        XCTAssertFalse(filter.permits("shell"))
        XCTAssertFalse(filter.permits(utf8: Array("git_push".utf8)))
        XCTAssertTrue(filter.permits(utf8: Array("git_log".utf8)))
    }

    func testEmptyAllowPermitsNothing() throws {
        let filter = try NameFilter(allow: [], deny: [])
        XCTAssertFalse(filter.permits("anything"))
        XCTAssertTrue(NameFilter.permitAll.permits("anything"))
    }

    func testBadPatternThrows() {
        XCTAssertThrowsError(try NameFilter(allow: nil, deny: ["[x"]))
        XCTAssertThrowsError(try NameFilter(allow: [#"x\"#], deny: []))
    }
}
