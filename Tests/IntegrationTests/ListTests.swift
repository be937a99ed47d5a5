import JSONRPC
import XCTest

/// Test 2: merged, namespaced lists and the proxy's own pagination over upstream pagination.
final class ListTests: ProxyTestCase {
    private var allTools: [String] {
        Self.exampleTools.map { "alpha__" + $0 } + Self.exampleTools.map { "beta__" + $0 }
    }

    func testPagesOfFiveOverUpstreamPagesOfTwoGiveEveryToolOnce() async throws {
        let proxy = try await startInitialized(.alphaBeta(arguments: ["--page-size", "2"], proxy: ["pagination: { pageSize: 5 }"]))
        let (names, pages) = try await listAllTools(proxy)
        XCTAssertEqual(names, allTools, "all 26 tools, alpha's first, each in its upstream's order")
        XCTAssertEqual(Set(names).count, 26, "no duplicates")
        XCTAssertEqual(pages, [5, 5, 5, 5, 5, 1])

        // An invalid cursor is invalid params, with the request's id.
        let bad = try await proxy.call("tools/list", params: #"{"cursor":"not-a-cursor"}"#, id: #""bad-cursor""#)
        XCTAssertEqual(bad.errorCode, -32602, bad.line)
        XCTAssertEqual(bad.idText, #""bad-cursor""#)
        let wrongType = try await proxy.call("tools/list", params: #"{"cursor":5}"#)
        XCTAssertEqual(wrongType.errorCode, -32602, wrongType.line)

        // A tools cursor is not a prompts cursor.
        let first = try await proxy.call("tools/list")
        let cursor = try XCTUnwrap(first.result?["nextCursor"]?.stringValue, first.line)
        let crossed = try await proxy.call("prompts/list", params: #"{"cursor":\#(String(decoding: JSONValue.string(cursor).encoded, as: UTF8.self))}"#)
        XCTAssertEqual(crossed.errorCode, -32602, "a tools/list cursor passed to prompts/list: \(crossed.line)")
    }

    func testWithoutPaginationEverythingComesInOnePage() async throws {
        let proxy = try await startInitialized()
        let response = try await proxy.call("tools/list")
        let tools = try XCTUnwrap(response.result?["tools"]?.arrayValue, response.line)
        XCTAssertEqual(tools.compactMap { $0["name"]?.stringValue }, allTools)
        XCTAssertNil(response.result?["nextCursor"])
        // Items are the upstream's own, renamed only.
        XCTAssertEqual(tools.first, json(#"""
            {"name":"alpha__echo","description":"Returns its text argument",
             "inputSchema":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}}
            """#))

        let prompts = try await proxy.call("prompts/list")
        XCTAssertEqual(prompts.result?["prompts"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["alpha__greet", "beta__greet"], prompts.line)

        // Both upstreams expose the same URIs; without URI rewriting the first keeps them.
        let resources = try await proxy.call("resources/list")
        XCTAssertEqual(resources.result?["resources"]?.arrayValue?.compactMap { $0["uri"]?.stringValue },
                       ["example://static/hello", "example://counter"], resources.line)
        let templates = try await proxy.call("resources/templates/list")
        XCTAssertEqual(templates.result?["resourceTemplates"]?.arrayValue?.compactMap { $0["uriTemplate"]?.stringValue },
                       ["example://items/{id}"], templates.line)
    }
}
