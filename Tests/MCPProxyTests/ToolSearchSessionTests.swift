import JSONRPC
import Logging
import MCPProxy
import MCPRouting
import MCPSecurity
import NIOConcurrencyHelpers
import XCTest

/// A stage that records the name of every tools/call it sees (the name at `/mcp`).
private final class ToolNameStage: MCPMiddleware, Sendable {
    let names = NIOLockedValueBox<[String]>([])

    func handle(_ call: inout MCPCall, context: inout ProxyRequestContext,
                next: (inout MCPCall, inout ProxyRequestContext) -> MCPVerdict) -> MCPVerdict {
        if call.method == .toolsCall { names.withLockedValue { $0.append(call.name ?? "?") } }
        return next(&call, &context)
    }
}

/// `discovery: search` endpoints in a real MCPProxy session with fake upstreams: the two-tool
/// list, `search_tools` (ranking, endpoint names and descriptions, visibility, limits) and
/// `call_tool` (routed as the direct call would be: renames undone, stages and authorization
/// applied once to the real tool, the same errors).
final class ToolSearchSessionTests: XCTestCase {
    private let bob = Principal(subject: "bob", issuer: "https://idp.test", roles: ["dev"], method: .jwt)

    private func upstreams() -> (git: FakeUpstream, time: FakeUpstream) {
        let git = FakeUpstream("git")
        git.setList("tools/list", key: "tools", pages: [[
            #"{"name":"git_status","description":"Shows the working tree status","inputSchema":{"type":"object","properties":{"repo_path":{"type":"string"}}}}"#,
            #"{"name":"git_commit","description":"Records changes to the repository","inputSchema":{"type":"object","properties":{"message":{"type":"string"}}}}"#,
            #"{"name":"git_log","description":"Shows the commit logs","inputSchema":{"type":"object","properties":{"max_count":{"type":"integer"}}}}"#,
            #"{"name":"git_show","description":"Shows the contents of a commit","inputSchema":{"type":"object","properties":{"revision":{"type":"string"}}}}"#,
        ]])
        git.on("tools/call") { request, _ in
            let name = request.params?["name"]?.stringValue ?? "?"
            return .result(#"{"content":[{"type":"text","text":"git ran \#(name)"}]}"#)
        }
        let time = FakeUpstream("time")
        time.setList("tools/list", key: "tools", pages: [[
            #"{"name":"get_current_time","description":"Get current time in a specific timezone","inputSchema":{"type":"object","properties":{"timezone":{"type":"string"}},"required":["timezone"]}}"#,
        ]])
        time.on("tools/call") { request, _ in
            let zone = request.params?["arguments"]?["timezone"]?.stringValue ?? "none"
            return .result(#"{"content":[{"type":"text","text":"it is noon in \#(zone)"}]}"#)
        }
        return (git, time)
    }

    private let searchView = EndpointView(
        path: "/mcp/search",
        rename: ["git__git_log": "history"],
        describe: ["history": "The commit history of the repository."],
        discovery: .search)

    /// Serves one client on `view` and runs `body`; the session and proxy end afterwards.
    private func withEndpoint(
        _ view: EndpointView, principal: Principal? = nil, authorizer: RuleAuthorizer? = nil, stage: ToolNameStage = ToolNameStage(),
        _ body: (FakeClientTransport, FakeUpstream, FakeUpstream, MCPProxy) async throws -> Void
    ) async throws {
        let (git, time) = upstreams()
        let logger = Logger(label: "tool-search-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let authorization = try authorizer ?? RuleAuthorizer(rules: [], default: .allow)
        let proxy = MCPProxy(upstreams: [git.definition, time.definition], options: .testing(), visibility: authorizer, logger: logger) {
            AuthorizationMiddleware<ProxyRequestContext>(authorizer: authorization)
            stage
        }
        let client = FakeClientTransport()
        let finished = NIOLockedValueBox(false)
        Task {
            try? await proxy.serve(client, principal: principal, endpoint: view)
            finished.withLockedValue { $0 = true }
        }
        try await eventually("the proxy to read from the client") { client.isStarted }
        client.push(ProxyHarness.initializeRequest(id: "0"))
        _ = try await client.response(to: 0)
        client.push(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        do {
            try await body(client, git, time, proxy)
        } catch {
            client.disconnect()
            await proxy.shutdown()
            throw error
        }
        client.disconnect()
        try await eventually("serve to return") { finished.withLockedValue { $0 } }
        await proxy.shutdown()
    }

    private let nextID = NIOLockedValueBox(100)

    private func call(_ client: FakeClientTransport, _ method: String, _ params: String? = nil) async throws -> WireMessage {
        let id = nextID.withLockedValue { $0 += 1; return $0 }
        client.push(ProxyHarness.requestText(method, params: params, id: String(id)))
        return try await client.response(to: .int(Int64(id)))
    }

    private func found(_ response: WireMessage) throws -> [JSONValue] {
        let result = try XCTUnwrap(response.result, response.raw)
        return result["structuredContent"]?["tools"]?.arrayValue ?? []
    }

    func testToolsListHoldsExactlyTheTwoTools() async throws {
        try await withEndpoint(searchView) { client, _, _, _ in
            let listed = try await call(client, "tools/list")
            let tools = try XCTUnwrap(listed.result?["tools"]?.arrayValue, listed.raw)
            XCTAssertEqual(tools.compactMap { $0["name"]?.stringValue }, ["search_tools", "call_tool"])
            XCTAssertNil(listed.result?["nextCursor"], listed.raw)
            XCTAssertEqual(tools[0]["inputSchema"]?["required"]?.arrayValue.compactMap(\.stringValue), ["query"])
            XCTAssertEqual(tools[0]["inputSchema"]?["properties"]?["limit"]?["type"]?.stringValue, "integer")
            XCTAssertEqual(tools[1]["inputSchema"]?["required"]?.arrayValue.compactMap(\.stringValue), ["name"])
            XCTAssertEqual(tools[1]["inputSchema"]?["properties"]?["arguments"]?["type"]?.stringValue, "object")
        }
    }

    func testSearchFindsToolsUnderTheirEndpointNamesAndDescriptions() async throws {
        try await withEndpoint(searchView) { client, _, _, _ in
            let answer = try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"commit history"}}"#)
            let tools = try found(answer)
            XCTAssertEqual(tools.first?["name"]?.stringValue, "history", answer.raw)
            XCTAssertEqual(tools.first?["description"]?.stringValue, "The commit history of the repository.")
            XCTAssertEqual(tools.first?["inputSchema"]?["properties"]?["max_count"]?["type"]?.stringValue, "integer")
            XCTAssertFalse(tools.contains { $0["name"]?.stringValue == "time__get_current_time" }, "time matches nothing of the query")
            // The text content is the same JSON as structuredContent.
            let text = try XCTUnwrap(answer.result?["content"]?.arrayValue.first?["text"]?.stringValue)
            XCTAssertEqual(try JSONValue(parsing: Array(text.utf8)), answer.result?["structuredContent"])
            XCTAssertEqual(answer.result?["isError"]?.boolValue, false)

            let limited = try found(try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"git","limit":2}}"#))
            XCTAssertEqual(limited.count, 2)
            let time = try found(try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"what time is it in Tokyo"}}"#))
            XCTAssertEqual(time.first?["name"]?.stringValue, "time__get_current_time")
        }
    }

    func testCallToolRunsTheToolAsADirectCallWould() async throws {
        let stage = ToolNameStage()
        try await withEndpoint(searchView, stage: stage) { client, git, time, proxy in
            let answer = try await call(client, "tools/call",
                                        #"{"name":"call_tool","arguments":{"name":"history","arguments":{"max_count":3}},"_meta":{"progressToken":"p1"},"task":{"ttl":60000}}"#)
            XCTAssertEqual(answer.result?["content"]?.arrayValue.first?["text"]?.stringValue, "git ran git_log", answer.raw)
            let forwarded = try XCTUnwrap(git.received("tools/call").last)
            XCTAssertEqual(forwarded.params?["name"]?.stringValue, "git_log", "the upstream sees its own name: \(forwarded.raw)")
            XCTAssertEqual(forwarded.params?["arguments"]?["max_count"]?.intValue, 3, forwarded.raw)
            XCTAssertNotNil(forwarded.params?["_meta"]?["progressToken"], "the progress token travels with the call: \(forwarded.raw)")
            XCTAssertEqual(forwarded.params?["task"]?["ttl"]?.intValue, 60000, "other params travel with the call: \(forwarded.raw)")

            let zone = try await call(client, "tools/call", #"{"name":"call_tool","arguments":{"name":"time__get_current_time","arguments":{"timezone":"UTC"}}}"#)
            XCTAssertEqual(zone.result?["content"]?.arrayValue.first?["text"]?.stringValue, "it is noon in UTC", zone.raw)
            XCTAssertEqual(time.received("tools/call").count, 1)

            // Called by its own name directly, the tool is served too.
            let direct = try await call(client, "tools/call", #"{"name":"history","arguments":{}}"#)
            XCTAssertEqual(direct.result?["content"]?.arrayValue.first?["text"]?.stringValue, "git ran git_log", direct.raw)

            // Stages saw the real tools, under their names at /mcp, once per call; never the wrappers.
            XCTAssertEqual(stage.names.withLockedValue { $0 }, ["git__git_log", "time__get_current_time", "git__git_log"])
            let series = proxy.stats.snapshot().requests
            XCTAssertEqual(series.first { $0.tool == "git_log" }?.count, 2, "\(series)")
        }
    }

    func testUnknownNamesGetTheErrorOfADirectCall() async throws {
        try await withEndpoint(searchView) { client, git, _, _ in
            let wrapped = try await call(client, "tools/call", #"{"name":"call_tool","arguments":{"name":"nope"}}"#)
            let direct = try await call(client, "tools/call", #"{"name":"nope","arguments":{}}"#)
            XCTAssertEqual(wrapped.errorCode, Int64(JSONRPCErrorCode.invalidParams.rawValue), wrapped.raw)
            XCTAssertEqual(wrapped.error, direct.error)
            // The name at /mcp of a renamed tool is not a name at the endpoint.
            let renamedAway = try await call(client, "tools/call", #"{"name":"call_tool","arguments":{"name":"git__git_log"}}"#)
            XCTAssertEqual(renamedAway.errorCode, Int64(JSONRPCErrorCode.invalidParams.rawValue), renamedAway.raw)
            XCTAssertTrue(git.received("tools/call").isEmpty)
        }
    }

    func testBadArgumentsAreInvalidParams() async throws {
        try await withEndpoint(searchView) { client, _, _, _ in
            let invalid = Int64(JSONRPCErrorCode.invalidParams.rawValue)
            for params in [
                #"{"name":"search_tools","arguments":{}}"#,
                #"{"name":"search_tools","arguments":{"query":7}}"#,
                #"{"name":"search_tools","arguments":{"query":"git","limit":0}}"#,
                #"{"name":"search_tools","arguments":{"query":"git","limit":"3"}}"#,
                #"{"name":"call_tool","arguments":{}}"#,
                #"{"name":"call_tool","arguments":{"name":"history","arguments":[1]}}"#,
                #"{"name":"call_tool"}"#,
            ] {
                let answer = try await call(client, "tools/call", params)
                XCTAssertEqual(answer.errorCode, invalid, "\(params) -> \(answer.raw)")
            }
            let many = try found(try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"","limit":1000}}"#))
            XCTAssertEqual(many.count, 5, "an empty query lists every tool, up to the limit (at most 50)")
        }
    }

    func testSearchAndCallRespectAuthorization() async throws {
        // bob may use every tool but git_log (matched by its name at /mcp, whatever the endpoint calls it).
        let authorizer = try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["dev"], tools: .init(allow: ["git__*", "time__*"], deny: ["git__git_log"])),
        ], default: .deny)
        let stage = ToolNameStage()
        try await withEndpoint(searchView, principal: bob, authorizer: authorizer, stage: stage) { client, git, _, _ in
            let tools = try found(try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"commit history"}}"#))
            XCTAssertFalse(tools.isEmpty)
            XCTAssertFalse(tools.contains { $0["name"]?.stringValue == "history" }, "a hidden tool is never found: \(tools)")
            let wrapped = try await call(client, "tools/call", #"{"name":"call_tool","arguments":{"name":"history"}}"#)
            let direct = try await call(client, "tools/call", #"{"name":"history","arguments":{}}"#)
            XCTAssertEqual(wrapped.errorCode, Int64(JSONRPCErrorCode.accessDenied.rawValue), wrapped.raw)
            XCTAssertEqual(wrapped.error, direct.error)
            XCTAssertTrue(git.received("tools/call").isEmpty, "a denied call never reaches the upstream")
            let allowed = try await call(client, "tools/call", #"{"name":"call_tool","arguments":{"name":"git__git_status","arguments":{}}}"#)
            XCTAssertEqual(allowed.result?["content"]?.arrayValue.first?["text"]?.stringValue, "git ran git_status", allowed.raw)
        }
    }

    func testTheIndexFollowsCatalogChanges() async throws {
        try await withEndpoint(searchView) { client, git, _, _ in
            let before = try found(try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"rebase"}}"#))
            XCTAssertTrue(before.isEmpty, "\(before)")
            git.setList("tools/list", key: "tools", pages: [[
                #"{"name":"git_rebase","description":"Reapplies commits on top of another base","inputSchema":{"type":"object"}}"#,
            ]])
            git.send(#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
            try await client.waitFor("tools/list_changed") { $0.method == "notifications/tools/list_changed" }
            let after = try found(try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"rebase"}}"#))
            XCTAssertEqual(after.compactMap { $0["name"]?.stringValue }, ["git__git_rebase"])
            let gone = try found(try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"commit history"}}"#))
            XCTAssertFalse(gone.contains { $0["name"]?.stringValue == "history" }, "git_log left the catalog: \(gone)")
        }
    }

    func testListEndpointIsUnchanged() async throws {
        let listView = EndpointView(path: "/mcp/list", rename: ["git__git_log": "history"])
        try await withEndpoint(listView) { client, _, _, _ in
            let listed = try await call(client, "tools/list")
            let names = listed.result?["tools"]?.arrayValue.compactMap { $0["name"]?.stringValue } ?? []
            XCTAssertTrue(names.contains("history"), listed.raw)
            XCTAssertFalse(names.contains("search_tools"), listed.raw)
            let search = try await call(client, "tools/call", #"{"name":"search_tools","arguments":{"query":"x"}}"#)
            XCTAssertEqual(search.errorCode, Int64(JSONRPCErrorCode.invalidParams.rawValue), "no search tool at a list endpoint: \(search.raw)")
        }
    }
}
