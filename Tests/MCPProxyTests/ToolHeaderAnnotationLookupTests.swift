import JSONRPC
import MCPProxy
import MCPTransports
import XCTest

/// `MCPProxy.toolHeaderAnnotations`, the catalog side of the HTTP front's `Mcp-Param-*` check:
/// a tool's `x-mcp-header` tags under the name the client sees (namespaced, renamed at an
/// endpoint, original at a named server), and fresh after the upstream's tools change.
final class ToolHeaderAnnotationLookupTests: XCTestCase {
    static let whereTool = #"{"name":"where","inputSchema":{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"}}}}"#
    static let plainWhere = #"{"name":"where","inputSchema":{"type":"object","properties":{"region":{"type":"string"}}}}"#

    func testAnnotationsFollowTheNamesClientsSeeAndTheToolListsChanges() async throws {
        let alpha = FakeUpstream("alpha", policy: UpstreamPolicy(health: nil))
        alpha.setList("tools/list", key: "tools", pages: [[Self.whereTool]])
        let beta = FakeUpstream("beta", policy: UpstreamPolicy(health: nil))
        beta.setTools(["echo"])
        try await withProxy([alpha, beta]) { harness in
            try await harness.initialize()
            XCTAssertNil(harness.proxy.toolHeaderAnnotations(forTool: "alpha__where"), "nothing before the tools are listed")
            let names = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(Set(names), ["alpha__where", "beta__echo"])

            let region = XMCPHeaderAnnotations(entries: [.init(path: ["region"], token: "Region", type: .string)])
            XCTAssertEqual(harness.proxy.toolHeaderAnnotations(forTool: "alpha__where"), region)
            XCTAssertNil(harness.proxy.toolHeaderAnnotations(forTool: "beta__echo"), "no tags: nothing to check")
            XCTAssertNil(harness.proxy.toolHeaderAnnotations(forTool: "where"), "the upstream's own name is not the client's")

            let renamed = EndpointView(path: "/team", rename: ["alpha__where": "place"])
            XCTAssertEqual(harness.proxy.toolHeaderAnnotations(forTool: "place", endpoint: renamed), region)
            XCTAssertNil(harness.proxy.toolHeaderAnnotations(forTool: "alpha__where", endpoint: renamed))
            let named = EndpointView(path: "/servers/alpha/mcp", servers: ["alpha"], originalNames: true)
            XCTAssertEqual(harness.proxy.toolHeaderAnnotations(forTool: "where", endpoint: named), region)

            // The upstream drops the tag and says its tools changed: the next lookup sees the new list.
            alpha.setList("tools/list", key: "tools", pages: [[Self.plainWhere]])
            alpha.send(#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
            _ = try await harness.client.waitFor("the list change") { $0.method == "notifications/tools/list_changed" }
            _ = try await harness.listAll("tools/list", key: "tools")
            XCTAssertNil(harness.proxy.toolHeaderAnnotations(forTool: "alpha__where"))
        }
    }
}
