import XCTest

import MCPRouting

final class ResourceRegistryTests: XCTestCase {
    func testExactBeforeTemplateAndUpstreamOrder() {
        var registry = ResourceRegistry()
        registry.setResources(upstream: "fs", uris: ["file:///a.txt"], templates: ["file:///{+path}"])
        registry.setResources(upstream: "notes", uris: ["file:///a.txt", "note://1"], templates: ["note://{id}"])
        registry.setResources(upstream: "catchall", uris: ["file:///b.txt"], templates: ["{+anything}"])

        XCTAssertEqual(registry.owner(of: "file:///a.txt"), "fs")
        XCTAssertEqual(registry.owners(of: "file:///a.txt"), ["fs", "notes", "catchall"])
        // Exact listing in a later upstream beats an earlier upstream's template.
        XCTAssertEqual(registry.owner(of: "file:///b.txt"), "catchall")
        XCTAssertEqual(registry.owners(of: "file:///b.txt"), ["catchall", "fs"])
        XCTAssertEqual(registry.owner(of: "note://7"), "notes")
        XCTAssertEqual(registry.owner(of: "https://x"), "catchall")
        XCTAssertEqual(registry.upstreams, ["fs", "notes", "catchall"])
    }

    func testReplaceAndRemove() {
        var registry = ResourceRegistry()
        registry.setResources(upstream: "a", uris: ["x://1"], templates: [])
        registry.setResources(upstream: "b", uris: ["x://1", "x://2"], templates: [])
        XCTAssertEqual(registry.owner(of: "x://1"), "a")

        registry.setResources(upstream: "a", uris: ["x://3"], templates: [])
        XCTAssertEqual(registry.owner(of: "x://1"), "b")
        XCTAssertEqual(registry.owner(of: "x://3"), "a")
        XCTAssertEqual(registry.upstreams, ["a", "b"], "replacing keeps the upstream's place")

        registry.removeUpstream("b")
        XCTAssertNil(registry.owner(of: "x://1"))
        XCTAssertNil(registry.owner(of: "x://2"))
        XCTAssertEqual(registry.owners(of: "x://2"), [])
        XCTAssertEqual(registry.upstreams, ["a"])
    }

    func testDuplicateURIsInOneUpstreamAreListedOnce() {
        var registry = ResourceRegistry()
        registry.setResources(upstream: "a", uris: ["x://1", "x://1"], templates: ["x://{n}"])
        XCTAssertEqual(registry.owners(of: "x://1"), ["a"])
    }
}
