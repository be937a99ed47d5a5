import XCTest

import MCPRouting

final class RouteTableTests: XCTestCase {
    func testFirstMatchingRuleWins() throws {
        let table = try RouteTable(rules: [
            RouteRule(method: "tools/call", name: "git_push", action: .deny),
            RouteRule(method: "tools/call", name: "git_*", action: .route(upstream: "git")),
            RouteRule(method: "tools/*", action: .allow),
            RouteRule(action: .route(upstream: "default")),
        ])
        XCTAssertEqual(table.count, 4)
        XCTAssertEqual(table.decide(method: "tools/call", name: "git_push", upstream: nil), .deny)
        XCTAssertEqual(table.decide(method: "tools/call", name: "git_status", upstream: nil), .route(upstream: "git"))
        XCTAssertEqual(table.decide(method: "tools/call", name: "fetch", upstream: nil), .allow)
        XCTAssertEqual(table.decide(method: "tools/list", name: nil, upstream: nil), .allow)
        XCTAssertEqual(table.decide(method: "prompts/get", name: "x", upstream: nil), .route(upstream: "default"))
    }

    func testNoMatchIsNil() throws {
        let table = try RouteTable(rules: [RouteRule(method: "tools/call", name: "a*", action: .deny)])
        XCTAssertNil(table.decide(method: "tools/call", name: "b", upstream: nil))
        XCTAssertNil(table.decide(method: "tools/list", name: nil, upstream: nil))
        XCTAssertNil(try RouteTable(rules: []).decide(method: "x", name: nil, upstream: nil))
        XCTAssertNil(RouteTable.noRules.decide(method: "tools/call", name: "x", upstream: "u"))
        XCTAssertEqual(RouteTable.noRules.count, 0)
    }

    func testNamePatternRequiresAName() throws {
        let table = try RouteTable(rules: [
            RouteRule(method: "*", name: "*", action: .deny),
            RouteRule(method: "*", action: .allow),
        ])
        XCTAssertEqual(table.decide(method: "tools/list", name: nil, upstream: nil), .allow)
        XCTAssertEqual(table.decide(method: "tools/call", name: "", upstream: nil), .deny)
    }

    func testUpstreamPattern() throws {
        let table = try RouteTable(rules: [
            RouteRule(method: "tools/call", upstream: "prod-*", action: .deny),
            RouteRule(method: "tools/call", action: .allow),
        ])
        XCTAssertEqual(table.decide(method: "tools/call", name: "x", upstream: "prod-db"), .deny)
        XCTAssertEqual(table.decide(method: "tools/call", name: "x", upstream: "dev-db"), .allow)
        XCTAssertEqual(table.decide(method: "tools/call", name: "x", upstream: nil), .allow)
    }

    func testByteAPIAgreesWithStringAPI() throws {
        let table = try RouteTable(rules: [
            RouteRule(method: "resources/read", name: "file:///secret/*", action: .deny),
            RouteRule(method: "resources/*", name: "file:*", action: .route(upstream: "fs")),
            RouteRule(method: "notifications/cancelled", action: .allow),
        ])
        let messages: [(String, String?)] = [
            ("resources/read", "file:///secret/key"), ("resources/read", "file:///public"),
            ("resources/subscribe", "file:///x"), ("resources/read", "https://x"),
            ("notifications/cancelled", nil), ("notifications/cancelle", nil), ("notifications/cancelledx", nil),
        ]
        for (method, name) in messages {
            let fromString = table.decide(method: method, name: name, upstream: nil)
            let fromBytes = table.decide(
                methodUTF8: Array(method.utf8)[...], nameUTF8: name.map { Array($0.utf8) }, upstream: nil)
            XCTAssertEqual(fromString, fromBytes, "\(method) \(name ?? "-")")
        }
        XCTAssertEqual(table.decide(method: "resources/read", name: "file:///secret/key", upstream: nil), .deny)
        XCTAssertEqual(table.decide(method: "resources/read", name: "file:///public", upstream: nil), .route(upstream: "fs"))
        XCTAssertEqual(table.decide(method: "notifications/cancelled", name: nil, upstream: nil), .allow)
        XCTAssertNil(table.decide(method: "notifications/cancelle", name: nil, upstream: nil))
        XCTAssertNil(table.decide(method: "notifications/cancelledx", name: nil, upstream: nil))
        XCTAssertEqual(table.decide(methodUTF8: Array("notifications/cancelled".utf8), upstream: nil), .allow)
        XCTAssertNil(table.decide(methodUTF8: Array("resources/read".utf8), upstream: nil), "name rules need a name")
    }

    func testLiteralMethodGroupsKeepRuleOrderAcrossWildcards() throws {
        // A wildcard-method rule between two literal ones must still be tried in order.
        let table = try RouteTable(rules: [
            RouteRule(method: "tools/call", name: "a", action: .route(upstream: "one")),
            RouteRule(method: "tools/c?ll", name: "b", action: .route(upstream: "two")),
            RouteRule(method: "tools/call", name: "b", action: .route(upstream: "three")),
            RouteRule(method: "tools/cxll", action: .deny),
        ])
        XCTAssertEqual(table.decide(method: "tools/call", name: "b", upstream: nil), .route(upstream: "two"))
        XCTAssertEqual(table.decide(method: "tools/cxll", name: "b", upstream: nil), .route(upstream: "two"))
        XCTAssertEqual(table.decide(method: "tools/cxll", name: "z", upstream: nil), .deny)
        XCTAssertNil(table.decide(method: "tools/cyll", name: "z", upstream: nil))
    }

    func testLongLiteralMethodsAndNamesAreComparedInFull() throws {
        let table = try RouteTable(rules: [
            RouteRule(method: "notifications/resources/list_changed", action: .deny),
            RouteRule(method: "*", name: "a-very-long-tool-name-prefix-*", action: .allow),
        ])
        XCTAssertEqual(table.decide(method: "notifications/resources/list_changed", name: nil, upstream: nil), .deny)
        XCTAssertNil(table.decide(method: "notifications/resourcXs/list_changed", name: nil, upstream: nil))
        XCTAssertEqual(table.decide(method: "x", name: "a-very-long-tool-name-prefix-1", upstream: nil), .allow)
        XCTAssertNil(table.decide(method: "x", name: "a-very-long-tool-nXme-prefix-1", upstream: nil))
    }

    func testBadPatternIsReported() {
        XCTAssertThrowsError(try RouteTable(rules: [RouteRule(name: "[oops", action: .deny)])) { error in
            XCTAssertEqual(error as? GlobPatternError, .unterminatedBracket(pattern: "[oops", position: 0))
        }
    }

    func testRulesAreKept() throws {
        let rules = [RouteRule(method: "a", action: .allow), RouteRule(name: "b", upstream: "c", action: .deny)]
        XCTAssertEqual(try RouteTable(rules: rules).rules, rules)
        XCTAssertEqual(RouteRule(action: .allow).method, "*")
    }

    func testHundredRulesLateMatchIsFast() throws {
        var rules: [RouteRule] = (0..<99).map { RouteRule(method: "tools/call", name: "tool\($0)_*", action: .deny) }
        rules.append(RouteRule(method: "tools/call", name: "git*", action: .route(upstream: "git")))
        let table = try RouteTable(rules: rules)
        let clock = ContinuousClock()
        let iterations = 20_000
        var found = 0
        let elapsed = clock.measure {
            for _ in 0..<iterations where table.decide(method: "tools/call", name: "git_status", upstream: nil) != nil {
                found += 1
            }
        }
        XCTAssertEqual(found, iterations)
        // Generous bound so that debug builds on slow machines pass; release runs about 0.1 µs.
        XCTAssertLessThan(elapsed / iterations, .microseconds(50))
    }
}
