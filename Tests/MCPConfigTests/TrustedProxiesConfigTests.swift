import XCTest
@testable import MCPConfig

/// `proxy.listen.trustedProxies`: the load balancers whose forwarding headers name the client.
final class TrustedProxiesConfigTests: XCTestCase {
    private func listen(_ value: String) -> String {
        "mcpServers: { a: { command: x } }\nproxy:\n  listen:\n    trustedProxies: \(value)\n"
    }

    func testAbsentMeansNoneTrusted() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }"))
        XCTAssertEqual(config.proxy.listen.trustedProxies, [])
    }

    func testAddressesAndNetworksOfBothFamiliesLoad() throws {
        let config = try XCTUnwrap(loadConfig(listen(#"["10.0.0.0/8", "127.0.0.1/32", "::1/128", "192.0.2.7", "fd00::/8", "::ffff:172.16.0.0/108"]"#)))
        XCTAssertEqual(config.proxy.listen.trustedProxies, ["10.0.0.0/8", "127.0.0.1/32", "::1/128", "192.0.2.7", "fd00::/8", "::ffff:172.16.0.0/108"])
        XCTAssertEqual(config.warnings, [])
        let empty = try XCTUnwrap(loadConfig(listen("[]")))
        XCTAssertEqual(empty.proxy.listen.trustedProxies, [])
    }

    func testEntriesMayComeFromTheEnvironment() throws {
        let config = try XCTUnwrap(loadConfig(listen(#"["${LB_NETWORK}"]"#), env: ["LB_NETWORK": "10.42.0.0/16"]))
        XCTAssertEqual(config.proxy.listen.trustedProxies, ["10.42.0.0/16"])
    }

    func testBadEntriesAreNamedByKeyPathWithAHint() {
        let problems = configProblems(listen(#"["10.0.0.0/33", "lb.internal", "[::1]/128", "fd00::/200", "10.0.0.1:80", "10.0.0.0/x", 7]"#))
        let key = "proxy.listen.trustedProxies"
        XCTAssertTrue(problems.at("\(key)[0]").contains { $0.message.contains("0 to 32") }, "\(problems)")
        XCTAssertTrue(problems.at("\(key)[1]").contains { $0.message.contains("no host names") && $0.message.contains("10.0.0.0/8") }, "\(problems)")
        XCTAssertTrue(problems.at("\(key)[2]").contains { $0.message.contains("without brackets") }, "\(problems)")
        XCTAssertTrue(problems.at("\(key)[3]").contains { $0.message.contains("0 to 128") }, "\(problems)")
        XCTAssertTrue(problems.at("\(key)[4]").contains { $0.message.contains("no ports") }, "\(problems)")
        XCTAssertFalse(problems.at("\(key)[5]").isEmpty, "\(problems)")
        XCTAssertFalse(problems.at("\(key)[6]").isEmpty, "a number is no network: \(problems)")
        XCTAssertTrue(problems.allSatisfy { $0.line == 4 }, "each problem has its line: \(problems.map(\.line))")
    }

    func testASingleStringIsAskedToBeAList() {
        let problems = configProblems(listen("10.0.0.0/8"))
        XCTAssertTrue(problems.at("proxy.listen.trustedProxies").contains { $0.message.contains(#"["10.0.0.0/8""#) }, "\(problems)")
    }

    func testNetworksThatTrustEveryoneOrHaveHostBitsAreWarnedAbout() throws {
        let config = try XCTUnwrap(loadConfig(listen(#"["0.0.0.0/0", "10.1.2.3/8", "::/0"]"#)))
        XCTAssertEqual(config.proxy.listen.trustedProxies, ["0.0.0.0/0", "10.1.2.3/8", "::/0"], "warnings, not errors")
        XCTAssertEqual(config.warnings.count, 3, "\(config.warnings)")
        XCTAssertTrue(config.warnings[0].contains("proxy.listen.trustedProxies[0]") && config.warnings[0].contains("trusts every peer"), "\(config.warnings)")
        XCTAssertTrue(config.warnings[1].contains("bits set after the /8 prefix"), "\(config.warnings)")
        XCTAssertTrue(config.warnings[2].contains("trusts every peer"), "\(config.warnings)")
    }

    func testAMisspelledKeyIsSuggested() {
        let problems = configProblems("mcpServers: { a: { command: x } }\nproxy: { listen: { trustedProxy: [\"10.0.0.0/8\"] } }")
        XCTAssertTrue(problems.contains { $0.message.contains("trustedProxies") }, "\(problems)")
    }
}
