import JSONRPC
import MCPProxy
import MCPRouting
import XCTest

/// Merged lists: collisions, pagination both ways, invalidation, and route rules.
final class CatalogTests: XCTestCase {
    private func collidingUpstreams() -> (FakeUpstream, FakeUpstream) {
        let alpha = FakeUpstream("alpha", namespace: NamespaceStyle.none)
        alpha.setTools(["x", "y"])
        alpha.on("tools/call") { _, _ in .result(#"{"content":[{"type":"text","text":"from alpha"}]}"#) }
        let beta = FakeUpstream("beta", namespace: NamespaceStyle.none)
        beta.setTools(["x", "z"])
        beta.on("tools/call") { _, _ in .result(#"{"content":[{"type":"text","text":"from beta"}]}"#) }
        return (alpha, beta)
    }

    func testCollisionWithoutNamespaceFirstWins() async throws {
        let (alpha, beta) = collidingUpstreams()
        let options = ProxyOptions.testing { $0.collisionPolicy = .firstWins }
        try await withProxy([alpha, beta], options: options) { harness in
            try await harness.initialize()
            let names = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names, ["x", "y", "z"])
            let response = try await harness.request("tools/call", params: #"{"name":"x","arguments":{}}"#)
            XCTAssertEqual(response.result?["content"]?.arrayValue.first?["text"]?.stringValue, "from alpha", response.raw)
            XCTAssertEqual(alpha.received("tools/call").count, 1)
            XCTAssertTrue(beta.received("tools/call").isEmpty)
        }
    }

    func testCollisionWithoutNamespaceSuffixExposesBoth() async throws {
        let (alpha, beta) = collidingUpstreams()
        let options = ProxyOptions.testing { $0.collisionPolicy = .suffix }
        try await withProxy([alpha, beta], options: options) { harness in
            try await harness.initialize()
            let names = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names, ["x", "y", "x_2", "z"])
            let response = try await harness.request("tools/call", params: #"{"name":"x_2","arguments":{}}"#)
            XCTAssertEqual(response.result?["content"]?.arrayValue.first?["text"]?.stringValue, "from beta", response.raw)
            let call = try XCTUnwrap(beta.received("tools/call").first)
            XCTAssertEqual(call.params?["name"]?.stringValue, "x", "beta gets its own name back: \(call.raw)")
            XCTAssertTrue(alpha.received("tools/call").isEmpty)
        }
    }

    func testUpstreamPaginationIsFollowed() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setList("tools/list", key: "tools", pages: [[FakeUpstream.tool("t1"), FakeUpstream.tool("t2")], [FakeUpstream.tool("t3")]])
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            let response = try await harness.request("tools/list")
            let names = response.result?["tools"]?.arrayValue.compactMap { $0["name"]?.stringValue }
            XCTAssertEqual(names, ["alpha__t1", "alpha__t2", "alpha__t3"])
            XCTAssertNil(response.result?["nextCursor"], "one proxy page when pageSize is 0")
            let lists = alpha.received("tools/list")
            XCTAssertEqual(lists.count, 2)
            XCTAssertNil(lists.first?.params?["cursor"])
            XCTAssertEqual(lists.last?.params?["cursor"]?.stringValue, "page-1")
        }
    }

    func testProxyPaginatesWithItsOwnCursors() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["t1", "t2", "t3"])
        let beta = FakeUpstream("beta", capabilities: #"{"tools":{},"prompts":{}}"#)
        beta.setTools(["u1", "u2"])
        beta.setList("prompts/list", key: "prompts", pages: [[#"{"name":"p1"}"#]])
        let options = ProxyOptions.testing { $0.pageSize = 2 }
        try await withProxy([alpha, beta], options: options) { harness in
            try await harness.initialize()
            var pages: [[String]] = []
            var cursors: [String] = []
            var cursor: String?
            repeat {
                let response = try await harness.request("tools/list", params: cursor.map { #"{"cursor":"\#($0)"}"# })
                let result = try XCTUnwrap(response.result, response.raw)
                pages.append(result["tools"]?.arrayValue.compactMap { $0["name"]?.stringValue } ?? [])
                cursor = result["nextCursor"]?.stringValue
                if let cursor { cursors.append(cursor) }
            } while cursor != nil && pages.count < 10
            XCTAssertEqual(pages, [["alpha__t1", "alpha__t2"], ["alpha__t3", "beta__u1"], ["beta__u2"]])
            XCTAssertEqual(Set(cursors).count, 2)

            // A tools cursor is not a prompts cursor.
            let foreign = try await harness.request("prompts/list", params: #"{"cursor":"\#(cursors[0])"}"#)
            XCTAssertEqual(foreign.errorCode, -32602, foreign.raw)
            // Nor is anything the proxy did not mint.
            let forged = try await harness.request("tools/list", params: #"{"cursor":"page-1"}"#)
            XCTAssertEqual(forged.errorCode, -32602, forged.raw)
            let notString = try await harness.request("tools/list", params: #"{"cursor":7}"#)
            XCTAssertEqual(notString.errorCode, -32602, notString.raw)
            // The proxy's cursors stay its own: upstreams never saw one.
            for list in alpha.received("tools/list") + beta.received("tools/list") {
                XCTAssertNil(list.params?["cursor"], list.raw)
            }
        }
    }

    func testListChangedInvalidatesRefetchesAndIsForwarded() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["t1"])
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            let names1 = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names1, ["alpha__t1"])
            // Cached: a second list does not ask the upstream again.
            let names2 = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names2, ["alpha__t1"])
            XCTAssertEqual(alpha.received("tools/list").count, 1)

            alpha.setTools(["t1", "t2"])
            alpha.send(#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
            try await harness.client.waitFor("tools/list_changed") { $0.method == "notifications/tools/list_changed" }
            let names3 = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names3, ["alpha__t1", "alpha__t2"])
            XCTAssertEqual(alpha.received("tools/list").count, 2)
        }
    }

    func testDenyRuleHidesTheItemAndRefusesItsCall() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["open", "secret"])
        alpha.on("tools/call") { _, _ in .result(#"{"content":[]}"#) }
        let routes = try RouteTable(rules: [RouteRule(method: "tools/call", name: "alpha__secret", action: .deny)])
        try await withProxy([alpha], options: .testing { $0.routes = routes }) { harness in
            try await harness.initialize()
            let names4 = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names4, ["alpha__open"])
            let denied = try await harness.request("tools/call", params: #"{"name":"alpha__secret","arguments":{}}"#)
            XCTAssertNotNil(denied.error, denied.raw)
            let allowed = try await harness.request("tools/call", params: #"{"name":"alpha__open","arguments":{}}"#)
            XCTAssertNotNil(allowed.result, allowed.raw)
            XCTAssertEqual(alpha.received("tools/call").compactMap { $0.params?["name"]?.stringValue }, ["open"])
        }
    }

    func testRouteRuleForwardsAnUnknownMethodToItsUpstream() async throws {
        let alpha = FakeUpstream("alpha")
        let beta = FakeUpstream("beta")
        beta.on("custom/echo") { request, _ in .result(#"{"echo":\#(request.params?.text ?? "null")}"#) }
        let routes = try RouteTable(rules: [RouteRule(method: "custom/*", action: .route(upstream: "beta"))])
        try await withProxy([alpha, beta], options: .testing { $0.routes = routes }) { harness in
            try await harness.initialize()
            let response = try await harness.request("custom/echo", params: #"{"word":"hi"}"#, id: #""x-1""#)
            XCTAssertEqual(response.result?["echo"]?["word"]?.stringValue, "hi", response.raw)
            let forwarded = try XCTUnwrap(beta.received("custom/echo").first)
            XCTAssertNotNil(forwarded.id?.intValue, forwarded.raw)
            XCTAssertTrue(alpha.received("custom/echo").isEmpty)
            // Without a rule, an unknown method is not forwarded anywhere.
            let unknown = try await harness.request("other/thing")
            XCTAssertEqual(unknown.errorCode, -32601, unknown.raw)
        }
    }

    func testRewrittenResourceURIsRoundTrip() async throws {
        let resourceCapabilities = #"{"resources":{}}"#
        let files = FakeUpstream("files", capabilities: resourceCapabilities)
        let docs = FakeUpstream("docs", capabilities: resourceCapabilities)
        for upstream in [files, docs] {
            upstream.setList("resources/list", key: "resources", pages: [[#"{"uri":"file:///a.txt","name":"a"}"#]])
            let name = upstream.name
            upstream.on("resources/read") { request, _ in
                let uri = request.params?["uri"]?.text ?? "null"
                return .result(#"{"contents":[{"uri":\#(uri),"mimeType":"text/plain","text":"from \#(name)"}]}"#)
            }
        }
        try await withProxy([files, docs], options: .testing { $0.rewriteResourceURIs = true }) { harness in
            try await harness.initialize()
            let uris = try await harness.listAll("resources/list", key: "resources", field: "uri")
            XCTAssertEqual(uris, ["files+file:///a.txt", "docs+file:///a.txt"])

            let read = try await harness.request("resources/read", params: #"{"uri":"docs+file:///a.txt"}"#)
            let content = try XCTUnwrap(read.result?["contents"]?.arrayValue.first, read.raw)
            XCTAssertEqual(content["uri"]?.stringValue, "docs+file:///a.txt")
            XCTAssertEqual(content["text"]?.stringValue, "from docs")
            XCTAssertEqual(docs.received("resources/read").first?.params?["uri"]?.stringValue, "file:///a.txt")
            XCTAssertTrue(files.received("resources/read").isEmpty)
        }
    }
}
