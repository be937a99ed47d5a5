import XCTest

import MCPRouting

final class NameRegistryTests: XCTestCase {
    let namespacer = Namespacer()

    func testPrefixedNamesDoNotCollideAndResolve() {
        let registry = NameRegistry(
            upstreams: [
                (name: "git", style: .upstreamPrefix("git"), names: ["status", "log"]),
                (name: "fs", style: .upstreamPrefix("fs"), names: ["status"]),
            ],
            namespacer: namespacer, policy: .firstWins)
        XCTAssertEqual(registry.entries.map(\.exposed), ["git__status", "git__log", "fs__status"])
        XCTAssertTrue(registry.collisions.isEmpty)
        XCTAssertEqual(
            registry.resolve(exposed: "fs__status"),
            NamedEntry(upstream: "fs", original: "status", exposed: "fs__status", index: 0))
        XCTAssertEqual(registry.resolve(exposed: "git__log")?.index, 1)
        XCTAssertNil(registry.resolve(exposed: "status"))
        XCTAssertEqual(registry.exposedName(upstream: "git", original: "log"), "git__log")
        XCTAssertNil(registry.exposedName(upstream: "git", original: "nope"))
    }

    func testFirstWinsHidesLaterItemAndReportsBothUpstreams() {
        let registry = NameRegistry(
            upstreams: [
                (name: "alpha", style: .none, names: ["search", "only_alpha"]),
                (name: "beta", style: .none, names: ["fetch", "search"]),
            ],
            namespacer: namespacer, policy: .firstWins)
        XCTAssertEqual(registry.entries.map(\.exposed), ["search", "only_alpha", "fetch"])
        XCTAssertEqual(registry.resolve(exposed: "search")?.upstream, "alpha")
        XCTAssertEqual(
            registry.collisions,
            [
                NameCollision(
                    exposedName: "search", keptUpstream: "alpha", keptOriginal: "search",
                    otherUpstream: "beta", otherOriginal: "search", resolution: "hidden")
            ])
        let text = registry.collisions[0].description
        XCTAssertTrue(text.contains("\"alpha\"") && text.contains("\"beta\"") && text.contains("hidden"), text)
    }

    func testSuffixRenamesLaterItems() {
        let registry = NameRegistry(
            upstreams: [
                (name: "a", style: .none, names: ["x"]),
                (name: "b", style: .none, names: ["x"]),
                (name: "c", style: .none, names: ["x", "x_2"]),
            ],
            namespacer: namespacer, policy: .suffix)
        XCTAssertEqual(registry.entries.map(\.exposed), ["x", "x_2", "x_3", "x_2_2"])
        XCTAssertEqual(registry.entries.map(\.upstream), ["a", "b", "c", "c"])
        XCTAssertEqual(registry.resolve(exposed: "x_3"), NamedEntry(upstream: "c", original: "x", exposed: "x_3", index: 0))
        XCTAssertEqual(registry.collisions.count, 3)
        XCTAssertEqual(registry.collisions[0].resolution, "renamed to \"x_2\"")
        XCTAssertEqual(registry.collisions[1].keptUpstream, "a")
        XCTAssertEqual(registry.collisions[1].otherUpstream, "c")
        // c's own "x_2" collides with b's renamed item.
        XCTAssertEqual(registry.collisions[2].exposedName, "x_2")
        XCTAssertEqual(registry.collisions[2].keptUpstream, "b")
        XCTAssertEqual(registry.collisions[2].otherOriginal, "x_2")
    }

    func testCollisionsAfterSanitising() {
        // "a b" and "a_b" upstream names sanitise to the same prefix.
        for policy in [CollisionPolicy.firstWins, .suffix] {
            let registry = NameRegistry(
                upstreams: [
                    (name: "a b", style: .upstreamPrefix("a b"), names: ["t"]),
                    (name: "a_b", style: .upstreamPrefix("a_b"), names: ["t"]),
                ],
                namespacer: namespacer, policy: policy)
            XCTAssertEqual(registry.collisions.count, 1, "\(policy)")
            XCTAssertEqual(registry.collisions[0].keptUpstream, "a b")
            XCTAssertEqual(registry.collisions[0].otherUpstream, "a_b")
            XCTAssertEqual(registry.resolve(exposed: "a_b__t")?.upstream, "a b")
            XCTAssertEqual(registry.entries.count, policy == .suffix ? 2 : 1)
        }
    }

    func testSeparatorAmbiguityIsACollision() {
        // "a" + "__" + "b__c" == "a__b" + "__" + "c".
        let registry = NameRegistry(
            upstreams: [
                (name: "a", style: .upstreamPrefix("a"), names: ["b__c"]),
                (name: "a__b", style: .upstreamPrefix("a__b"), names: ["c"]),
            ],
            namespacer: namespacer, policy: .firstWins)
        XCTAssertEqual(registry.entries.count, 1)
        XCTAssertEqual(registry.collisions.first?.exposedName, "a__b__c")
    }

    func testCollisionsAfterShorteningStayWithinLimit() {
        let namespacer = Namespacer(maxLength: 24)
        let long = String(repeating: "z", count: 40)
        let registry = NameRegistry(
            upstreams: [
                (name: "one", style: .none, names: [long]),
                (name: "two", style: .none, names: [long]),
                (name: "three", style: .none, names: [long]),
            ],
            namespacer: namespacer, policy: .suffix)
        XCTAssertEqual(registry.collisions.count, 2)
        XCTAssertEqual(Set(registry.entries.map(\.exposed)).count, 3)
        for entry in registry.entries {
            XCTAssertLessThanOrEqual(entry.exposed.utf8.count, 24, entry.exposed)
            XCTAssertTrue(entry.exposed.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == "-" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0)) })
            XCTAssertEqual(registry.resolve(exposed: entry.exposed), entry)
        }
    }

    func testDuplicateWithinOneUpstream() {
        let registry = NameRegistry(
            upstreams: [(name: "solo", style: .upstreamPrefix("solo"), names: ["dup", "other", "dup"])],
            namespacer: namespacer, policy: .firstWins)
        XCTAssertEqual(registry.entries.map(\.index), [0, 1])
        XCTAssertEqual(registry.collisions.count, 1)
        XCTAssertEqual(registry.collisions[0].keptUpstream, "solo")
        XCTAssertEqual(registry.collisions[0].otherUpstream, "solo")

        let renamed = NameRegistry(
            upstreams: [(name: "solo", style: .upstreamPrefix("solo"), names: ["dup", "other", "dup"])],
            namespacer: namespacer, policy: .suffix)
        XCTAssertEqual(renamed.entries.map(\.exposed), ["solo__dup", "solo__other", "solo__dup_2"])
        XCTAssertEqual(renamed.resolve(exposed: "solo__dup_2")?.index, 2)
    }

    func testPolicyRawValues() {
        XCTAssertEqual(CollisionPolicy(rawValue: "first-wins"), .firstWins)
        XCTAssertEqual(CollisionPolicy(rawValue: "suffix"), .suffix)
        XCTAssertNil(CollisionPolicy(rawValue: "firstWins"))
    }
}
