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

    func testLateMatchAfterManyRules() throws {
        var rules: [RouteRule] = (0..<99).map { RouteRule(method: "tools/call", name: "tool\($0)_*", action: .deny) }
        rules.append(RouteRule(method: "tools/call", name: "git*", action: .route(upstream: "git")))
        let table = try RouteTable(rules: rules)
        XCTAssertEqual(table.decide(method: "tools/call", name: "git_status", upstream: nil), .route(upstream: "git"))
        XCTAssertEqual(table.decide(method: "tools/call", name: "tool42_x", upstream: nil), .deny)
        XCTAssertNil(table.decide(method: "tools/call", name: "tool42", upstream: nil))
    }

    /// The byte-set prefilter only skips rules whose literal bytes the name lacks; a name that has
    /// every byte but does not match still goes to the full matcher, and one that matches wins.
    func testByteSetPrefilterNeverHidesAMatch() throws {
        let table = try RouteTable(rules: [
            RouteRule(method: "tools/call", name: "*__admin_[0-9]*", action: .deny),
            RouteRule(method: "tools/call", name: "svc?__[rw]*", action: .route(upstream: "svc")),
            RouteRule(method: "tools/call", name: "*é*", action: .route(upstream: "accent")),
        ])
        XCTAssertEqual(table.decide(method: "tools/call", name: "x__admin_7", upstream: nil), .deny)
        XCTAssertNil(table.decide(method: "tools/call", name: "nimda__admin_", upstream: nil), "all bytes present, no match")
        XCTAssertEqual(table.decide(method: "tools/call", name: "svc1__write", upstream: nil), .route(upstream: "svc"))
        XCTAssertNil(table.decide(method: "tools/call", name: "svc1__delete", upstream: nil))
        XCTAssertEqual(table.decide(method: "tools/call", name: "café", upstream: nil), .route(upstream: "accent"))
        // Bytes that share a bit with a required byte ('!' and 'a' both land on bit 33) pass the
        // prefilter and are then rejected by the matcher.
        XCTAssertNil(table.decide(method: "tools/call", name: "x__!dmin_7", upstream: nil))
    }

    /// First-match decisions agree with matching every rule's globs one by one, over generated
    /// rules and names (literals, prefixes, suffixes, classes, `?` and stars).
    func testDecisionsAgreeWithPlainGlobMatching() throws {
        var generator = SplitMix64(seed: 0x5EED)
        let alphabet = Array("ab_c!é*?[]")
        func pattern() -> String {
            var text = ""
            for _ in 0..<generator.next(below: 7) {
                let character = alphabet[generator.next(below: alphabet.count)]
                switch character {
                case "[": text += generator.next(below: 2) == 0 ? "[a-c]" : "[!_]"
                case "]": text += "\\]"
                default: text.append(character)
                }
            }
            return text
        }
        func name() -> String {
            let letters = Array("ab_c!é]")
            return String((0..<generator.next(below: 8)).map { _ in letters[generator.next(below: letters.count)] })
        }
        for _ in 0..<200 {
            let rules = (0..<12).map { index in
                RouteRule(method: "tools/call", name: pattern(), action: .route(upstream: "u\(index)"))
            }
            let table = try RouteTable(rules: rules)
            let globs = try rules.map { try GlobPattern($0.name ?? "*") }
            for _ in 0..<20 {
                let candidate = name()
                let expected = zip(rules, globs).first { $0.1.matches(candidate) }?.0.action
                XCTAssertEqual(
                    table.decide(method: "tools/call", name: candidate, upstream: nil), expected,
                    "name \(candidate) against \(rules.map { $0.name ?? "" })")
            }
        }
    }
}

/// A small deterministic generator for the property test.
private struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
