import JSONRPC
import XCTest

/// Tests 16 and 17: route rules, tool filters and name collisions.
final class RoutingTests: ProxyTestCase {
    func testDenyRouteAndToolFilterHideExactlyTheirTools() async throws {
        let config = ConfigFile(
            servers: [.example("alpha", extra: [#"tools: { deny: ["slow"] }"#]), .example("beta")],
            proxy: ["routes:", #"  - { method: "tools/call", name: "*crash", action: deny }"#])
        let proxy = try await startInitialized(config)
        let list = try await proxy.call("tools/list")
        let names = list.result?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        let expected = Self.exampleTools.filter { $0 != "crash" && $0 != "slow" }.map { "alpha__" + $0 }
            + Self.exampleTools.filter { $0 != "crash" }.map { "beta__" + $0 }
        XCTAssertEqual(names, expected, list.line)

        for denied in ["alpha__crash", "beta__crash", "alpha__slow"] {
            let response = try await proxy.callTool(denied, arguments: #"{"seconds":0.1}"#)
            XCTAssertEqual(response.errorCode, -32602, "\(denied) must not be callable: \(response.line)")
        }
        let slow = try await proxy.callTool("beta__slow", arguments: #"{"seconds":0.1}"#)
        XCTAssertEqual(slow.toolText, "slept 0.1s", slow.line)
        // The crash tools really did not run: both upstreams still answer.
        let alpha = try await proxy.callTool("alpha__echo", arguments: #"{"text":"a"}"#)
        let beta = try await proxy.callTool("beta__echo", arguments: #"{"text":"b"}"#)
        XCTAssertEqual([alpha.toolText, beta.toolText], ["a", "b"])
    }

    func testWithoutNamespacesTheFirstUpstreamWinsEachName() async throws {
        let config = ConfigFile(servers: [.example("alpha", extra: ["namespace: false"]), .example("beta", extra: ["namespace: false"])])
        let proxy = try await startInitialized(config)
        let list = try await proxy.call("tools/list")
        let names = list.result?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        XCTAssertEqual(names, Self.exampleTools, "each name once: \(list.line.prefix(300))")

        let toggled = try await proxy.callTool("toggle_extra")
        XCTAssertEqual(toggled.toolText, "extra added")
        _ = try await proxy.notification("notifications/tools/list_changed")
        let extra = try await proxy.callTool("extra")
        XCTAssertEqual(extra.toolText, "extra from alpha", "tools of the first upstream win: \(extra.line)")
        let echo = try await proxy.callTool("echo", arguments: #"{"text":"plain"}"#)
        XCTAssertEqual(echo.toolText, "plain")

        let read = try await proxy.call("resources/read", params: #"{"uri":"example://static/hello"}"#)
        XCTAssertEqual(read.result?["contents"]?.arrayValue?.first?["text"]?.stringValue, "Hello from alpha", read.line)
        let prompts = try await proxy.call("prompts/list")
        XCTAssertEqual(prompts.result?["prompts"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["greet"], prompts.line)
        let greet = try await proxy.call("prompts/get", params: #"{"name":"greet","arguments":{"name":"Ada"}}"#)
        XCTAssertEqual(greet.result?["messages"]?.arrayValue?.first?["content"]?["text"]?.stringValue, "Hello, Ada!", greet.line)
    }
}
