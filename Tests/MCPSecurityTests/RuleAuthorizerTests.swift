import XCTest
@testable import MCPSecurity

final class RuleAuthorizerTests: XCTestCase {
    private let reader = Principal(subject: "rita", issuer: "idp", roles: ["reader"], method: .jwt)
    private let admin = Principal(subject: "ada", issuer: "idp", scopes: ["admin"], method: .jwt)
    private let nobody = Principal(subject: "nemo", issuer: "idp", method: .jwt)

    private func issueExample(default defaultDecision: AuthorizationDefault = .allow) throws -> RuleAuthorizer {
        try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["reader"], tools: .init(allow: ["alpha__echo", "alpha__add"])),
            AuthorizationRule(scopes: ["admin"], methods: .init(allow: ["*"])),
        ], default: defaultDecision)
    }

    func testIssueExample() throws {
        let rules = try issueExample()
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: "alpha__echo", uri: nil), .allowed)
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: "alpha__rm", uri: nil), .denied(reason: "tool not allowed"))
        XCTAssertEqual(rules.authorize(reader, method: .resourcesRead, name: nil, uri: "file:///x"), .allowed)
        XCTAssertEqual(rules.authorize(admin, method: .toolsCall, name: "alpha__rm", uri: nil), .allowed)
        XCTAssertEqual(rules.authorize(nobody, method: .toolsCall, name: "alpha__rm", uri: nil), .allowed, "default allow")
        let closed = try issueExample(default: .deny)
        XCTAssertEqual(closed.authorize(nobody, method: .toolsCall, name: "alpha__rm", uri: nil), .denied(reason: "no rule grants access"))
        XCTAssertEqual(closed.authorize(nobody, method: .toolsList, name: nil, uri: nil), .denied(reason: "no rule grants access"))
        XCTAssertEqual(closed.authorize(nobody, method: .initialize, name: nil, uri: nil), .allowed, "plumbing always passes")
        XCTAssertEqual(closed.authorize(nobody, method: .ping, name: nil, uri: nil), .allowed)
        XCTAssertEqual(closed.authorize(nobody, method: .initialized, name: nil, uri: nil), .allowed)
    }

    func testFirstApplicableRuleWins() throws {
        let both = Principal(subject: "bo", roles: ["reader"], scopes: ["admin"], method: .jwt)
        let rules = try issueExample()
        // The reader rule comes first, so the admin scope does not widen it.
        XCTAssertEqual(rules.authorize(both, method: .toolsCall, name: "alpha__rm", uri: nil), .denied(reason: "tool not allowed"))
        XCTAssertEqual(rules.ruleIndex(for: both), 0)
        XCTAssertEqual(rules.ruleIndex(for: admin), 1)
        XCTAssertNil(rules.ruleIndex(for: nobody))
    }

    func testAllowAndDenyWithinARule() throws {
        let rules = try RuleAuthorizer(rules: [
            AuthorizationRule(
                subjects: ["rita"],
                methods: .init(deny: ["logging/*"]),
                tools: .init(allow: ["alpha__*"], deny: ["alpha__delete*"]),
                prompts: .init(deny: ["secret*"]),
                resources: .init(allow: ["file:///public/*"])
            ),
            AuthorizationRule(methods: .init(allow: [])),
        ], default: .allow)
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: "alpha__read", uri: nil), .allowed)
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: "alpha__deleteAll", uri: nil), .denied(reason: "tool not allowed"))
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: "beta__read", uri: nil), .denied(reason: "tool not allowed"))
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: nil, uri: nil), .denied(reason: "tool not allowed"))
        XCTAssertEqual(rules.authorize(reader, method: .promptsGet, name: "greeting", uri: nil), .allowed)
        XCTAssertEqual(rules.authorize(reader, method: .promptsGet, name: "secret_plan", uri: nil), .denied(reason: "prompt not allowed"))
        XCTAssertEqual(rules.authorize(reader, method: .resourcesRead, name: nil, uri: "file:///public/a"), .allowed)
        XCTAssertEqual(rules.authorize(reader, method: .resourcesSubscribe, name: nil, uri: "file:///etc/passwd"), .denied(reason: "resource not allowed"))
        XCTAssertEqual(rules.authorize(reader, method: .completionComplete, name: "secret_plan", uri: nil), .denied(reason: "prompt not allowed"))
        XCTAssertEqual(rules.authorize(reader, method: .completionComplete, name: nil, uri: "file:///public/{x}"), .allowed)
        XCTAssertEqual(rules.authorize(reader, method: .loggingSetLevel, name: nil, uri: nil), .denied(reason: "method not allowed"))
        // The catch-all rule (no selectors) applies to everyone else: its empty allow list permits no method.
        XCTAssertEqual(rules.authorize(nobody, method: .toolsList, name: nil, uri: nil), .denied(reason: "method not allowed"))
    }

    func testRequireScopes() throws {
        let rules = try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["reader"], tools: .init(allow: ["alpha__*"]), requireScopes: ["mcp.tools", "mcp.read"]),
        ], default: .deny)
        let scoped = Principal(subject: "s", roles: ["reader"], scopes: ["mcp.read", "mcp.tools"], method: .jwt)
        XCTAssertEqual(rules.authorize(scoped, method: .toolsCall, name: "alpha__x", uri: nil), .allowed)
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: "alpha__x", uri: nil), .insufficientScope(required: ["mcp.tools", "mcp.read"]))
        // Denied items stay denied: a scope would not help.
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: "beta__x", uri: nil), .denied(reason: "tool not allowed"))
    }

    func testVisibility() throws {
        let rules = try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["reader"], tools: .init(allow: ["alpha__*"]), resources: .init(deny: ["secret://*"])),
            AuthorizationRule(subjects: ["nemo"], methods: .init(deny: ["tools/call"])),
        ], default: .deny)
        XCTAssertTrue(rules.isVisible(reader, kind: .tools, name: "alpha__echo"))
        XCTAssertFalse(rules.isVisible(reader, kind: .tools, name: "beta__echo"))
        XCTAssertTrue(rules.isVisible(reader, kind: .prompts, name: "anything"))
        XCTAssertFalse(rules.isVisible(reader, kind: .resources, name: "secret://a"))
        XCTAssertFalse(rules.isVisible(reader, kind: .resourceTemplates, name: "secret://{id}"))
        XCTAssertTrue(rules.isVisible(reader, kind: .resourceTemplates, name: "file:///{path}"))
        XCTAssertFalse(rules.isVisible(nobody, kind: .tools, name: "alpha__echo"), "tools/call denied → no tool visible")
        XCTAssertTrue(rules.isVisible(nobody, kind: .prompts, name: "p"))
        XCTAssertFalse(rules.isVisible(admin, kind: .tools, name: "alpha__echo"), "default deny")
    }

    func testMemoIsPerIdentityAndBounded() throws {
        let rules = try RuleAuthorizer(rules: [AuthorizationRule(roles: ["reader"], tools: .init(allow: []))], default: .allow)
        // Same identity with different roles is a different principal for the memo.
        let plain = Principal(subject: "rita", issuer: "idp", method: .jwt)
        XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: "x", uri: nil), .denied(reason: "tool not allowed"))
        XCTAssertEqual(rules.authorize(plain, method: .toolsCall, name: "x", uri: nil), .allowed)
        for index in 0..<1000 {
            let principal = Principal(subject: "u\(index)", roles: index.isMultiple(of: 2) ? ["reader"] : [], method: .jwt)
            let expected: AuthorizationDecision = index.isMultiple(of: 2) ? .denied(reason: "tool not allowed") : .allowed
            XCTAssertEqual(rules.authorize(principal, method: .toolsCall, name: "x", uri: nil), expected)
        }
    }

    func testRepeatedDecisionsUseOneMemoEntry() throws {
        let rules = try issueExample(default: .deny)
        let names = ["alpha__echo", "alpha__add"]
        // Warm up the memo and the globs.
        for name in names { XCTAssertEqual(rules.authorize(reader, method: .toolsCall, name: name, uri: nil), .allowed) }
        var allowed = 0
        for index in 0..<200_000 {
            if rules.authorize(reader, method: .toolsCall, name: names[index & 1], uri: nil) == .allowed { allowed += 1 }
            if rules.isVisible(reader, kind: .tools, name: names[index & 1]) { allowed += 1 }
        }
        XCTAssertEqual(allowed, 400_000)
        // One principal, one memo entry, however many decisions.
        XCTAssertEqual(rules.memoCount, 1)
    }

    func testMalformedGlobIsAConfigurationError() {
        XCTAssertThrowsError(try RuleAuthorizer(rules: [AuthorizationRule(tools: .init(allow: ["[abc"]))], default: .allow))
    }
}
