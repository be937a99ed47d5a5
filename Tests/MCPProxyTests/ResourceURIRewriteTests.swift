import JSONRPC
import MCPProxy
import XCTest

/// `rewriteResourceURIs`: every URI a client sees is `<upstream>+<uri>`, and maps back upstream.
final class ResourceURIRewriteTests: XCTestCase {
    private func filesUpstream() -> FakeUpstream {
        let files = FakeUpstream("files", capabilities: #"{"tools":{},"prompts":{},"resources":{}}"#)
        files.setList("resources/list", key: "resources", pages: [[#"{"uri":"file:///a.txt","name":"a"}"#]])
        files.setList("resources/templates/list", key: "resourceTemplates", pages: [[#"{"uriTemplate":"file:///logs/{day}","name":"logs"}"#]])
        files.setTools(["link"])
        files.setList("prompts/list", key: "prompts", pages: [[#"{"name":"quote"}"#]])
        files.on("resources/read") { request, _ in
            let uri = request.params?["uri"]?.text ?? "null"
            return .result(#"{"contents":[{"uri":\#(uri),"mimeType":"text/plain","text":"body"}]}"#)
        }
        files.on("tools/call") { _, _ in
            .result(#"{"content":[{"type":"resource_link","uri":"file:///a.txt","name":"a"},{"type":"resource","resource":{"uri":"file:///b.txt","text":"b"}}]}"#)
        }
        files.on("prompts/get") { _, _ in
            .result(#"{"messages":[{"role":"user","content":{"type":"resource","resource":{"uri":"file:///a.txt","text":"a"}}}]}"#)
        }
        return files
    }

    private let rewriting = ProxyOptions.testing { $0.rewriteResourceURIs = true }

    func testListsTemplatesAndReadUseTheExposedURI() async throws {
        let files = filesUpstream()
        try await withProxy([files], options: rewriting) { harness in
            try await harness.initialize()
            let uris = try await harness.listAll("resources/list", key: "resources", field: "uri")
            XCTAssertEqual(uris, ["files+file:///a.txt"])
            let templates = try await harness.listAll("resources/templates/list", key: "resourceTemplates", field: "uriTemplate")
            XCTAssertEqual(templates, ["files+file:///logs/{day}"])

            let read = try await harness.request("resources/read", params: #"{"uri":"files+file:///logs/monday"}"#)
            XCTAssertEqual(read.result?["contents"]?.arrayValue.first?["uri"]?.stringValue, "files+file:///logs/monday", read.raw)
            XCTAssertEqual(files.received("resources/read").first?.params?["uri"]?.stringValue, "file:///logs/monday")
        }
    }

    /// The MCP digest: rewrite "resource_link and embedded resource blocks inside tool and prompt results".
    func testToolResultResourceLinksAreRewritten() async throws {
        let files = filesUpstream()
        try await withProxy([files], options: rewriting) { harness in
            try await harness.initialize()
            let response = try await harness.request("tools/call", params: #"{"name":"files__link","arguments":{}}"#)
            let content = try XCTUnwrap(response.result?["content"]?.arrayValue, response.raw)
            XCTAssertEqual(content.first?["uri"]?.stringValue, "files+file:///a.txt", "resource_link in a tools/call result: \(response.raw)")
            XCTAssertEqual(content.last?["resource"]?["uri"]?.stringValue, "files+file:///b.txt", "embedded resource in a tools/call result: \(response.raw)")
        }
    }

    func testPromptResultEmbeddedResourcesAreRewritten() async throws {
        let files = filesUpstream()
        try await withProxy([files], options: rewriting) { harness in
            try await harness.initialize()
            let response = try await harness.request("prompts/get", params: #"{"name":"files__quote"}"#)
            let message = try XCTUnwrap(response.result?["messages"]?.arrayValue.first, response.raw)
            XCTAssertEqual(message["content"]?["resource"]?["uri"]?.stringValue, "files+file:///a.txt", "embedded resource in a prompts/get result: \(response.raw)")
        }
    }

    func testSubscriptionUpdatesAndCompletionRefsMapBothWays() async throws {
        let files = FakeUpstream("files", capabilities: #"{"resources":{"subscribe":true},"completions":{}}"#)
        files.setList("resources/list", key: "resources", pages: [[#"{"uri":"file:///a.txt","name":"a"}"#]])
        files.setList("resources/templates/list", key: "resourceTemplates", pages: [[#"{"uriTemplate":"file:///logs/{day}","name":"logs"}"#]])
        files.on("resources/subscribe") { _, _ in .result("{}") }
        files.on("completion/complete") { _, _ in .result(#"{"completion":{"values":["monday"]}}"#) }
        try await withProxy([files], options: rewriting) { harness in
            try await harness.initialize()
            let subscribed = try await harness.request("resources/subscribe", params: #"{"uri":"files+file:///a.txt"}"#)
            XCTAssertNotNil(subscribed.result, subscribed.raw)
            XCTAssertEqual(files.received("resources/subscribe").first?.params?["uri"]?.stringValue, "file:///a.txt")

            files.send(#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"file:///a.txt"}}"#)
            let updated = try await harness.client.waitFor("resources/updated") { $0.method == "notifications/resources/updated" }
            XCTAssertEqual(updated.params?["uri"]?.stringValue, "files+file:///a.txt", updated.raw)

            let completion = try await harness.request("completion/complete", params: #"{"ref":{"type":"ref/resource","uri":"files+file:///logs/{day}"},"argument":{"name":"day","value":"mo"}}"#)
            XCTAssertNotNil(completion.result, completion.raw)
            XCTAssertEqual(files.received("completion/complete").first?.params?["ref"]?["uri"]?.stringValue, "file:///logs/{day}")
        }
    }

    func testWithoutRewritingURIsPassThroughUnchanged() async throws {
        let files = filesUpstream()
        try await withProxy([files]) { harness in
            try await harness.initialize()
            let uris = try await harness.listAll("resources/list", key: "resources", field: "uri")
            XCTAssertEqual(uris, ["file:///a.txt"])
            let response = try await harness.request("tools/call", params: #"{"name":"files__link","arguments":{}}"#)
            XCTAssertEqual(response.result?["content"]?.arrayValue.first?["uri"]?.stringValue, "file:///a.txt", response.raw)
        }
    }
}
