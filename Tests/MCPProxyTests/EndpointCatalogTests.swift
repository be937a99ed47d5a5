import JSONRPC
import Logging
import MCPProxy
import MCPRouting
import MCPSecurity
import NIOConcurrencyHelpers
import XCTest

/// A stage that records the name of every tools/call and prompts/get it sees.
private final class NameRecorder: MCPMiddleware, Sendable {
    let names = NIOLockedValueBox<[String]>([])

    func handle(_ call: inout MCPCall, context: inout ProxyRequestContext,
                next: (inout MCPCall, inout ProxyRequestContext) -> MCPVerdict) -> MCPVerdict {
        if call.method == .toolsCall || call.method == .promptsGet { names.withLockedValue { $0.append(call.name ?? "?") } }
        return next(&call, &context)
    }
}

/// Virtual endpoints (``EndpointView``) in a real MCPProxy session with fake upstreams: the
/// catalog view (servers, filters, renames, descriptions), names undone on calls, hidden names
/// unknown, stages seeing the `/mcp` name, visibility, pagination, and `initialize`.
final class EndpointCatalogTests: XCTestCase {
    private let alice = Principal(subject: "alice", issuer: "https://idp.test", roles: ["support"], method: .apiKey)

    private func upstreams() -> (tickets: FakeUpstream, docs: FakeUpstream, other: FakeUpstream) {
        let tickets = FakeUpstream("tickets", capabilities: #"{"tools":{"listChanged":true},"prompts":{}}"#, instructions: "tickets upstream says hi")
        tickets.setTools(["create_ticket", "list_tickets", "delete_ticket"])
        tickets.setList("prompts/list", key: "prompts", pages: [[#"{"name":"triage","description":"triage a ticket"}"#]])
        tickets.on("tools/call") { request, _ in
            .result(#"{"content":[{"type":"text","text":"tickets ran \#(request.params?["name"]?.stringValue ?? "?")"}]}"#)
        }
        tickets.on("prompts/get") { request, _ in
            .result(#"{"messages":[{"role":"user","content":{"type":"text","text":"prompt \#(request.params?["name"]?.stringValue ?? "?")"}}]}"#)
        }
        let docs = FakeUpstream("docs", capabilities: #"{"tools":{},"resources":{}}"#)
        docs.setTools(["search", "edit"])
        docs.setList("resources/list", key: "resources", pages: [[#"{"uri":"docs://public/a","name":"a"}"#, #"{"uri":"docs://private/b","name":"b"}"#]])
        docs.on("tools/call") { request, _ in
            .result(#"{"content":[{"type":"text","text":"docs ran \#(request.params?["name"]?.stringValue ?? "?")"}]}"#)
        }
        docs.on("resources/read") { request, _ in
            .result(#"{"contents":[{"uri":"\#(request.params?["uri"]?.stringValue ?? "")","text":"doc"}]}"#)
        }
        let other = FakeUpstream("other", instructions: "other upstream")
        other.setTools(["secret"])
        other.on("tools/call") { _, _ in .result(#"{"content":[{"type":"text","text":"other ran"}]}"#) }
        return (tickets, docs, other)
    }

    private func supportView() throws -> EndpointView {
        EndpointView(
            path: "/mcp/support",
            servers: ["tickets", "docs"],
            tools: try NameFilter(allow: ["tickets__*", "docs__search"], deny: ["tickets__delete_*"]),
            prompts: try NameFilter(allow: ["*"], deny: []),
            resources: try NameFilter(allow: nil, deny: ["docs://private/*"]),
            rename: ["tickets__create_ticket": "open_ticket"],
            describe: ["open_ticket": "Open a support ticket for the person you are helping."],
            instructions: "Tools for the support desk.")
    }

    private struct Served {
        let client: FakeClientTransport
        let tickets: FakeUpstream
        let docs: FakeUpstream
        let other: FakeUpstream
        let proxy: MCPProxy
        let initialized: WireMessage
    }

    /// Serves one client on `view` (nil: the main path) and runs `body`; everything ends afterwards.
    private func withEndpoint(
        _ view: EndpointView?, principal: Principal? = nil, authorizer: RuleAuthorizer? = nil, stage: NameRecorder = NameRecorder(),
        options: ProxyOptions = .testing(), _ body: (Served) async throws -> Void
    ) async throws {
        let (tickets, docs, other) = upstreams()
        let logger = Logger(label: "endpoint-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let authorization = try authorizer ?? RuleAuthorizer(rules: [], default: .allow)
        let proxy = MCPProxy(upstreams: [tickets.definition, docs.definition, other.definition], options: options,
                             visibility: authorizer, logger: logger) {
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
        let initialized = try await client.response(to: 0)
        client.push(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        do {
            try await body(Served(client: client, tickets: tickets, docs: docs, other: other, proxy: proxy, initialized: initialized))
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

    private func items(_ client: FakeClientTransport, _ method: String, key: String) async throws -> [JSONValue] {
        var all: [JSONValue] = []
        var cursor: String?
        for _ in 0..<20 {
            let response = try await call(client, method, cursor.map { #"{"cursor":"\#($0)"}"# })
            let result = try XCTUnwrap(response.result, response.raw)
            all += result[key]?.arrayValue ?? []
            cursor = result["nextCursor"]?.stringValue
            if cursor == nil { break }
        }
        return all
    }

    private func text(_ response: WireMessage) -> String? {
        response.result?["content"]?.arrayValue.first?["text"]?.stringValue
    }

    func testListsAreFilteredRenamedAndDescribed() async throws {
        try await withEndpoint(try supportView()) { served in
            let tools = try await items(served.client, "tools/list", key: "tools")
            XCTAssertEqual(tools.compactMap { $0["name"]?.stringValue }, ["open_ticket", "tickets__list_tickets", "docs__search"],
                           "servers, allow and deny, then the rename")
            XCTAssertEqual(tools[0]["description"]?.stringValue, "Open a support ticket for the person you are helping.")
            XCTAssertEqual(tools[1]["description"]?.stringValue, "the list_tickets tool", "others keep their own description")
            XCTAssertEqual(tools[0]["inputSchema"]?["type"]?.stringValue, "object", "every other member is kept")
            let prompts = try await items(served.client, "prompts/list", key: "prompts")
            XCTAssertEqual(prompts.compactMap { $0["name"]?.stringValue }, ["tickets__triage"])
            let resources = try await items(served.client, "resources/list", key: "resources")
            XCTAssertEqual(resources.compactMap { $0["uri"]?.stringValue }, ["docs://public/a"], "the deny glob hides the private one")
        }
    }

    func testMainPathIsUnchanged() async throws {
        try await withEndpoint(nil) { served in
            let tools = try await items(served.client, "tools/list", key: "tools")
            XCTAssertEqual(tools.count, 6)
            XCTAssertTrue(tools.contains { $0["name"]?.stringValue == "tickets__create_ticket" })
            let answer = try await call(served.client, "tools/call", #"{"name":"tickets__create_ticket","arguments":{}}"#)
            XCTAssertEqual(text(answer), "tickets ran create_ticket", answer.raw)
        }
    }

    func testRenamedToolIsCalledByItsNewNameAndTheUpstreamSeesItsOwn() async throws {
        let stage = NameRecorder()
        try await withEndpoint(try supportView(), stage: stage) { served in
            let answer = try await call(served.client, "tools/call", #"{"name":"open_ticket","arguments":{"title":"x"}}"#)
            XCTAssertEqual(text(answer), "tickets ran create_ticket", answer.raw)
            let received = try XCTUnwrap(served.tickets.received("tools/call").last)
            XCTAssertEqual(received.params?["name"]?.stringValue, "create_ticket")
            XCTAssertEqual(received.params?["arguments"]?["title"]?.stringValue, "x")
            XCTAssertEqual(stage.names.withLockedValue { $0 }, ["tickets__create_ticket"], "stages see the name at /mcp")
            let plain = try await call(served.client, "tools/call", #"{"name":"docs__search","arguments":{}}"#)
            XCTAssertEqual(text(plain), "docs ran search")
            XCTAssertEqual(stage.names.withLockedValue { $0 }.last, "docs__search")
        }
    }

    func testHiddenNamesAreUnknownAsIfTheyDidNotExist() async throws {
        try await withEndpoint(try supportView()) { served in
            let unknown = try await call(served.client, "tools/call", #"{"name":"no_such_tool","arguments":{}}"#)
            let expected = try XCTUnwrap(unknown.error?["message"]?.stringValue, unknown.raw)
            XCTAssertTrue(expected.hasPrefix("Unknown tool"), expected)
            for name in ["tickets__create_ticket", "tickets__delete_ticket", "docs__edit", "other__secret"] {
                let answer = try await call(served.client, "tools/call", #"{"name":"\#(name)","arguments":{}}"#)
                XCTAssertEqual(answer.error?["code"]?.intValue, unknown.error?["code"]?.intValue, answer.raw)
                XCTAssertEqual(answer.error?["message"]?.stringValue, "Unknown tool: '\(name)'. Use tools/list to see what is available", answer.raw)
            }
            XCTAssertTrue(served.other.received("tools/call").isEmpty)
            XCTAssertTrue(served.docs.received("tools/call").isEmpty)
            XCTAssertEqual(served.tickets.received("tools/call").count, 0)
            let hidden = try await call(served.client, "resources/read", #"{"uri":"docs://private/b"}"#)
            XCTAssertNotNil(hidden.error, hidden.raw)
            XCTAssertTrue(served.docs.received("resources/read").isEmpty, "the upstream never sees a hidden URI")
            let shown = try await call(served.client, "resources/read", #"{"uri":"docs://public/a"}"#)
            XCTAssertEqual(shown.result?["contents"]?.arrayValue.first?["uri"]?.stringValue, "docs://public/a", shown.raw)
            let prompt = try await call(served.client, "prompts/get", #"{"name":"tickets__triage"}"#)
            XCTAssertNotNil(prompt.result, prompt.raw)
        }
    }

    func testAuthorizationRuleOnTheMainNameAlsoDeniesTheRenamedTool() async throws {
        let authorizer = try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["support"], tools: .init(allow: ["*"], deny: ["tickets__create_ticket"])),
        ], default: .deny)
        try await withEndpoint(try supportView(), principal: alice, authorizer: authorizer) { served in
            let denied = try await call(served.client, "tools/call", #"{"name":"open_ticket","arguments":{}}"#)
            XCTAssertEqual(denied.error?["code"]?.intValue, -32003, denied.raw)
            XCTAssertTrue(served.tickets.received("tools/call").isEmpty, "a rename never opens a hole")
            let tools = try await items(served.client, "tools/list", key: "tools")
            XCTAssertEqual(tools.compactMap { $0["name"]?.stringValue }, ["tickets__list_tickets", "docs__search"],
                           "visibility works on the /mcp names too")
            let allowed = try await call(served.client, "tools/call", #"{"name":"tickets__list_tickets","arguments":{}}"#)
            XCTAssertEqual(text(allowed), "tickets ran list_tickets", allowed.raw)
        }
    }

    func testPaginationAtAnEndpoint() async throws {
        try await withEndpoint(try supportView(), options: .testing { $0.pageSize = 1 }) { served in
            let first = try await call(served.client, "tools/list")
            XCTAssertEqual(first.result?["tools"]?.arrayValue.count, 1)
            XCTAssertNotNil(first.result?["nextCursor"]?.stringValue, first.raw)
            let tools = try await items(served.client, "tools/list", key: "tools")
            XCTAssertEqual(tools.compactMap { $0["name"]?.stringValue }, ["open_ticket", "tickets__list_tickets", "docs__search"])
            let bad = try await call(served.client, "tools/list", #"{"cursor":"nonsense"}"#)
            XCTAssertEqual(bad.error?["code"]?.intValue, -32602, bad.raw)
        }
    }

    func testInitializeCarriesTheEndpointsInstructionsAndItsServersCapabilities() async throws {
        try await withEndpoint(try supportView()) { served in
            let result = try XCTUnwrap(served.initialized.result, served.initialized.raw)
            XCTAssertEqual(result["instructions"]?.stringValue, "Tools for the support desk.")
            XCTAssertNotNil(result["capabilities"]?["resources"], "docs offers resources")
        }
        var plain = try supportView()
        plain.instructions = nil
        plain.servers = ["tickets"]
        try await withEndpoint(plain) { served in
            let result = try XCTUnwrap(served.initialized.result, served.initialized.raw)
            let instructions = try XCTUnwrap(result["instructions"]?.stringValue)
            XCTAssertTrue(instructions.contains("tickets upstream says hi"), instructions)
            XCTAssertFalse(instructions.contains("other upstream"), "only servers behind the endpoint: \(instructions)")
            XCTAssertNil(result["capabilities"]?["resources"], "no server behind it offers resources: \(served.initialized.raw)")
        }
    }

    func testOriginalNamesServeOneUpstreamAsAlone() async throws {
        let alone = EndpointView(path: "/servers/tickets/mcp", servers: ["tickets"], originalNames: true)
        let stage = NameRecorder()
        try await withEndpoint(alone, stage: stage) { served in
            let tools = try await items(served.client, "tools/list", key: "tools")
            XCTAssertEqual(tools.compactMap { $0["name"]?.stringValue }, ["create_ticket", "list_tickets", "delete_ticket"])
            let answer = try await call(served.client, "tools/call", #"{"name":"list_tickets","arguments":{}}"#)
            XCTAssertEqual(text(answer), "tickets ran list_tickets", answer.raw)
            XCTAssertEqual(stage.names.withLockedValue { $0 }, ["tickets__list_tickets"])
            let other = try await call(served.client, "tools/call", #"{"name":"tickets__list_tickets","arguments":{}}"#)
            XCTAssertNotNil(other.error, "the /mcp name is not a name here: \(other.raw)")
        }
    }

    func testListChangedReachesEndpointClientsAndTheViewIsRebuilt() async throws {
        try await withEndpoint(try supportView()) { served in
            _ = try await items(served.client, "tools/list", key: "tools")
            served.tickets.setTools(["create_ticket", "close_ticket"])
            served.tickets.send(#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
            try await served.client.waitFor("tools/list_changed") { $0.method == "notifications/tools/list_changed" }
            let names = try await items(served.client, "tools/list", key: "tools").compactMap { $0["name"]?.stringValue }
            XCTAssertEqual(names, ["open_ticket", "tickets__close_ticket", "docs__search"], "the endpoint's view follows the change")
        }
    }
}
