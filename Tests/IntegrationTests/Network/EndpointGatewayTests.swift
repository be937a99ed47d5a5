import Foundation
import JSONRPC
import MCPConfig
import MCPGateway
import MCPTransports
import XCTest

/// Virtual endpoints through the `Gateway` library in-process, in front of real `example-server`
/// processes: an endpoint is a view of the one aggregated proxy (no upstream runs twice), and a
/// reload moves an endpoint's session onto the new configuration's view of the same path.
final class EndpointGatewayTests: NetworkTestCase {
    private func config(_ servers: [String], endpoint: String, namedServers: Bool = false) throws -> ProxyConfig {
        let entries = servers.map { #""\#($0)":{"command":"\#(Binaries.exampleServer)","args":["--name","\#($0)"]}"# }
        let text = #"{"mcpServers":{\#(entries.joined(separator: ","))},"proxy":{"listen":{"host":"127.0.0.1","port":0,"namedServers":\#(namedServers)},"endpoints":[\#(endpoint)]}}"#
        return try ConfigLoader.load(text: text, sourceName: "<test>", environment: [:])
    }

    private func startGateway(_ config: ProxyConfig) async throws -> (Gateway, String) {
        try Binaries.check()
        let gateway = Gateway(config: config, logger: NetworkTestClient.quietLogger, endsAllChildren: false)
        let addresses = try await gateway.start(.network)
        let url = try XCTUnwrap(addresses.url)
        addTeardownBlock { await gateway.stop(grace: .seconds(1)) }
        return (gateway, url)
    }

    private func toolNames(_ client: NetworkTestClient) async throws -> [String] {
        let list = try await client.call("tools/list")
        return (list.result?["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }.sorted()
    }

    private func exampleChildren() -> Int {
        ProcessTable.children(of: getpid()).filter { $0.name.hasPrefix("example-serv") }.count
    }

    func testEndpointsAndNamedServersShareTheAggregatedUpstreams() async throws {
        let (_, base) = try await startGateway(try config(
            ["alpha", "beta"], endpoint: #"{"path":"/mcp/a","servers":["alpha"],"rename":{"alpha__echo":"say"}}"#, namedServers: true))
        let endpoint = try await connect(.remote("endpoint", url: base + "/mcp/a", kind: .streamableHTTP))
        let named = try await connect(.remote("named", url: base + "/servers/beta/mcp", kind: .streamableHTTP))
        let main = try await connect(.remote("main", url: base + "/mcp", kind: .streamableHTTP))
        let endpointNames = try await toolNames(endpoint)
        XCTAssertTrue(endpointNames.contains("say") && !endpointNames.contains("alpha__echo"), "\(endpointNames)")
        XCTAssertFalse(endpointNames.contains { $0.hasPrefix("beta__") }, "\(endpointNames)")
        let said = try await endpoint.callTool("say", arguments: #"{"text":"via endpoint"}"#)
        XCTAssertTrue(said.line.contains("via endpoint"), said.line)
        let namedNames = try await toolNames(named)
        XCTAssertTrue(namedNames.contains("echo") && !namedNames.contains { $0.contains("__") }, "\(namedNames)")
        let echoed = try await named.callTool("echo", arguments: #"{"text":"via named"}"#)
        XCTAssertTrue(echoed.line.contains("via named"), echoed.line)
        _ = try await toolNames(main)
        XCTAssertEqual(exampleChildren(), 2, "one process per upstream, whichever endpoints are used")
    }

    func testReloadKeepsASessionOnItsEndpointWithTheNewDefinition() async throws {
        let (gateway, base) = try await startGateway(try config(
            ["alpha"], endpoint: #"{"path":"/mcp/a","servers":["alpha"],"rename":{"alpha__echo":"say"}}"#))
        let open = try await connect(.remote("open", url: base + "/mcp/a", kind: .streamableHTTP))
        let before = try await toolNames(open)
        XCTAssertTrue(before.contains("say"), "\(before)")

        try await gateway.reload(try config(
            ["alpha", "beta"], endpoint: #"{"path":"/mcp/a","servers":["alpha","beta"],"tools":{"allow":["alpha__echo","beta__echo"]},"rename":{"alpha__echo":"speak"}}"#))

        let deadline = ContinuousClock.now + .seconds(5)
        while !open.messages.contains(where: { $0.method == "notifications/tools/list_changed" }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertTrue(open.messages.contains { $0.method == "notifications/tools/list_changed" }, "no tools/list_changed after the reload")
        let after = try await toolNames(open)
        XCTAssertEqual(after, ["beta__echo", "speak"], "the moved session is served by the new configuration's view of /mcp/a")
        let spoken = try await open.callTool("speak", arguments: #"{"text":"moved"}"#)
        XCTAssertTrue(spoken.line.contains("moved"), spoken.line)
    }
}
