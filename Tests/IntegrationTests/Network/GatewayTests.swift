import Foundation
import JSONRPC
import MCPConfig
import MCPGateway
import MCPSecurity
import MCPTransports
import Synchronization
import XCTest

/// The `Gateway` library in-process, in front of real `example-server` processes, with real
/// Streamable HTTP clients: start, reload without dropping sessions, refused reloads, host
/// policies, and stop.
final class GatewayTests: NetworkTestCase {
    private func config(_ servers: [String], extra: String = "", countFile: String? = nil, faults: Bool = false) throws -> ProxyConfig {
        let entries = servers.map { name in
            var args = #"["--name","\#(name)""#
            if faults { args += #","--faults""# }
            if let countFile { args += #","--count-requests","\#(countFile)""# }
            args += "]"
            return #""\#(name)":{"command":"\#(Binaries.exampleServer)","args":\#(args)\#(extra)}"#
        }
        let text = #"{"mcpServers":{\#(entries.joined(separator: ","))},"proxy":{"listen":{"host":"127.0.0.1","port":0},"admin":{"host":"127.0.0.1","port":0}}}"#
        return try ConfigLoader.load(text: text, sourceName: "<test>", environment: [:])
    }

    private func startGateway(_ config: ProxyConfig, policies: PolicyHookRegistry? = nil) async throws -> (Gateway, String) {
        try Binaries.check()
        let gateway = Gateway(config: config, policies: policies, logger: NetworkTestClient.quietLogger, endsAllChildren: false)
        let addresses = try await gateway.start(.network)
        let url = try XCTUnwrap(addresses.mcp)
        addTeardownBlock { await gateway.stop(grace: .seconds(1)) }
        return (gateway, url)
    }

    private func client(_ label: String, _ url: String) async throws -> NetworkTestClient {
        try await connect(.remote(label, url: url, kind: .streamableHTTP))
    }

    private func toolNames(_ client: NetworkTestClient) async throws -> [String] {
        let list = try await client.call("tools/list")
        return (list.result?["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }.sorted()
    }

    private func echo(_ client: NetworkTestClient, _ tool: String, _ text: String) async throws -> ReceivedMessage {
        try await client.callTool(tool, arguments: #"{"text":"\#(text)"}"#)
    }

    private func exampleChildren() -> [ProcessTable.Entry] {
        ProcessTable.children(of: getpid()).filter { $0.name.hasPrefix("example-server") || $0.name.hasPrefix("example-serv") }
    }

    func testReloadMovesOpenSessionsOntoTheNewConfigurationAndTellsThemTheirListsChanged() async throws {
        let (gateway, url) = try await startGateway(try config(["alpha"], faults: true))
        let open = try await client("open", url)
        let value1 = try await toolNames(open)
        XCTAssertTrue(value1.contains("alpha__echo"))
        XCTAssertFalse(value1.contains { $0.hasPrefix("beta__") })
        // A call in flight across the reload gets its answer from the old configuration.
        let inFlight = Task { try await open.callTool("alpha__drip", arguments: #"{"seconds":1}"#) }
        try await Task.sleep(for: .milliseconds(300))

        try await gateway.reload(try config(["alpha", "beta"], faults: true))

        let dripped = try await inFlight.value
        XCTAssertNil(dripped.errorCode, "the request in flight finished: \(dripped)")
        // The open session stays connected, is told its lists changed, and sees the new upstream.
        let deadline = ContinuousClock.now + .seconds(5)
        while !open.messages.contains(where: { $0.method == "notifications/tools/list_changed" }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertTrue(open.messages.contains { $0.method == "notifications/tools/list_changed" }, "no tools/list_changed after the reload")
        let names = try await toolNames(open)
        XCTAssertTrue(names.contains("alpha__echo") && names.contains("beta__echo"), "\(names)")
        let beta = try await echo(open, "beta__echo", "moved")
        XCTAssertNil(beta.errorCode, "\(beta)")
        XCTAssertTrue(beta.line.contains("moved"), beta.line)
        let alpha = try await echo(open, "alpha__echo", "still here")
        XCTAssertNil(alpha.errorCode, "\(alpha)")
        XCTAssertEqual(Set(gateway.upstreamStatus().map(\.upstream)), ["alpha", "beta"])
    }

    func testAReloadKeepsUnchangedUpstreamsRunningAndReplacesChangedOnes() async throws {
        let (gateway, url) = try await startGateway(try config(["alpha", "beta"]))
        let open = try await client("open", url)
        for name in ["alpha", "beta"] {
            let answer = try await echo(open, "\(name)__echo", "x")
            XCTAssertNil(answer.errorCode, "\(answer)")
        }
        let before = Set(exampleChildren().map(\.pid))
        XCTAssertEqual(before.count, 2)

        // beta's entry changes (a page size), alpha's does not.
        var next = try config(["alpha", "beta"])
        next.servers[1].transport = .stdio(command: Binaries.exampleServer, arguments: ["--name", "beta", "--page-size", "5"],
                                           environment: [:], inheritEnvironment: true, workingDirectory: nil)
        try await gateway.reload(next)
        for name in ["alpha", "beta"] {
            let answer = try await echo(open, "\(name)__echo", "y")
            XCTAssertNil(answer.errorCode, "the moved session is served by the new configuration: \(answer)")
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, exampleChildren().filter({ ProcessTable.isAlive($0.pid) }).count != 2 {
            try await Task.sleep(for: .milliseconds(50))
        }
        let after = Set(exampleChildren().filter { ProcessTable.isAlive($0.pid) }.map(\.pid))
        XCTAssertEqual(after.count, 2, "one alpha, one beta: \(after)")
        XCTAssertEqual(before.intersection(after).count, 1, "alpha's process kept running, beta's was replaced: \(before) -> \(after)")
    }

    func testASessionHoldingSubscriptionsFinishesOnItsConfiguration() async throws {
        let (gateway, url) = try await startGateway(try config(["alpha"]))
        let subscriber = try await client("subscriber", url)
        let subscribed = try await subscriber.call("resources/subscribe", params: #"{"uri":"example://counter"}"#)
        XCTAssertNil(subscribed.errorCode, "\(subscribed)")
        try await gateway.reload(try config(["alpha", "beta"]))
        let names = try await toolNames(subscriber)
        XCTAssertFalse(names.contains { $0.hasPrefix("beta__") }, "its subscriptions live on the old upstream session: it stays")
        let bumped = try await subscriber.callTool("alpha__bump", arguments: "{}")
        XCTAssertNil(bumped.errorCode, "\(bumped)")
        let deadline = ContinuousClock.now + .seconds(5)
        while !subscriber.messages.contains(where: { $0.method == "notifications/resources/updated" }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertTrue(subscriber.messages.contains { $0.method == "notifications/resources/updated" }, "the subscription still works")
    }

    func testAReloadThatCannotBeBuiltOrChangesAListenerChangesNothing() async throws {
        let (gateway, url) = try await startGateway(try config(["alpha"]))
        var broken = try config(["alpha", "beta"])
        broken.servers[1].toolTimeouts = [ToolTimeout(pattern: "[unclosed", seconds: 1)]
        do {
            try await gateway.reload(broken)
            XCTFail("a tool timeout with an invalid glob must refuse the reload")
        } catch {
            XCTAssertEqual(error.kind, .config)
            XCTAssertTrue(error.message.contains("toolTimeouts"), error.message)
        }
        var moved = try config(["alpha", "beta"])
        moved.proxy.admin?.port = 1
        do {
            try await gateway.reload(moved)
            XCTFail("changing proxy.admin must be refused while running")
        } catch {
            XCTAssertEqual(error.kind, .state)
            XCTAssertTrue(error.message.contains("proxy.admin"), error.message)
        }
        let fresh = try await client("fresh", url)
        let value7 = try await toolNames(fresh)
        XCTAssertEqual(value7.filter { $0.hasPrefix("beta__") }, [], "neither reload took effect")
        let value8 = try await echo(fresh, "alpha__echo", "ok")
        XCTAssertNil(value8.errorCode)
    }

    func testHostPoliciesDenyBeforeTheUpstreamAndAreAskedOnlyAboutWhatTheirGlobsMatch() async throws {
        let directory = try makeDirectory()
        let countFile = directory.path + "/requests"
        let policies = PolicyHookRegistry()
        let asked = Mutex<[String]>([])
        let id = try policies.add(methods: "tools/call", names: "alpha__e*") { question in
            asked.withLock { $0.append("\(question.principal.subject) \(question.method) \(question.name ?? "-") \(question.upstream ?? "-")") }
            return .deny("echo is closed today")
        }
        let (_, url) = try await startGateway(try config(["alpha"], countFile: countFile), policies: policies)
        let client = try await client("c", url)

        let denied = try await echo(client, "alpha__echo", "nope")
        XCTAssertEqual(denied.errorCode, -32003, "\(denied)")
        XCTAssertTrue(denied.errorMessage?.contains("echo is closed today") ?? false, "\(denied)")
        let added = try await client.callTool("alpha__add", arguments: #"{"a":2,"b":3}"#)
        XCTAssertNil(added.errorCode, "\(added)")
        XCTAssertEqual(asked.withLock { $0 }, ["anonymous tools/call alpha__echo alpha"], "asked once, only about the tool its glob matches")
        let upstreamSaw = (try? String(contentsOfFile: countFile, encoding: .utf8)) ?? ""
        XCTAssertFalse(upstreamSaw.contains("tools/call") && upstreamSaw.components(separatedBy: "tools/call").count > 2,
                       "only the allowed call reached the upstream: \(upstreamSaw)")
        XCTAssertEqual(upstreamSaw.components(separatedBy: "\n").filter { $0.hasSuffix("tools/call") }.count, 1, upstreamSaw)

        XCTAssertTrue(policies.remove(id))
        let allowed = try await echo(client, "alpha__echo", "open again")
        XCTAssertNil(allowed.errorCode, "\(allowed)")
        XCTAssertEqual(asked.withLock { $0.count }, 1, "a removed policy is not asked")
    }

    func testStopEndsEverySessionAndUpstreamAndClosesTheListener() async throws {
        let (gateway, url) = try await startGateway(try config(["alpha", "beta"]))
        let c = try await client("c", url)
        let value9 = try await echo(c, "beta__echo", "x")
        XCTAssertNil(value9.errorCode)
        XCTAssertEqual(exampleChildren().count, 2)
        await gateway.stop(grace: .seconds(1))
        XCTAssertTrue(gateway.isStopped)
        XCTAssertEqual(exampleChildren().filter { ProcessTable.isAlive($0.pid) }.count, 0, "stop returns after the upstreams exited")
        do {
            try await gateway.start(.network)
            XCTFail("a stopped gateway does not start again")
        } catch {
            XCTAssertEqual(error.kind, .state)
        }
        let late = NetworkTestClient.remote("late", url: url, kind: .streamableHTTP)
        do {
            try await late.start()
            _ = try await late.initialize()
            XCTFail("the listener is closed after stop")
        } catch {}
        await late.close()
    }

    func testStopLetsARequestInFlightFinishAndIsNotHeldUpByIdleSessions() async throws {
        let (gateway, url) = try await startGateway(try config(["alpha"], faults: true))
        _ = try await client("idle", url)
        let busy = try await client("busy", url)
        let call = Task { try await busy.callTool("alpha__drip", arguments: #"{"seconds":1}"#) }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        await gateway.stop(grace: .seconds(30))
        let took = ContinuousClock.now - started
        let answer = try await call.value
        XCTAssertNil(answer.errorCode, "the call in flight got its answer: \(answer)")
        XCTAssertLessThan(took, .seconds(15), "an idle session does not hold the 30 s drain up (took \(took))")
    }
}

/// Tracing through the gateway: the span tree in an in-memory tracer, and the W3C trace context
/// at a real upstream.
final class GatewayTracingTests: NetworkTestCase {
    func testARequestIsTracedFromTheClientsTraceparentToTheUpstream() async throws {
        try Binaries.check()
        let tracer = W3CTestTracer()
        let text = #"{"mcpServers":{"alpha":{"command":"\#(Binaries.exampleServer)","args":["--name","alpha","--faults"]}},"proxy":{"listen":{"host":"127.0.0.1","port":0}}}"#
        let config = try ConfigLoader.load(text: text, sourceName: "<test>", environment: [:])
        let gateway = Gateway(config: config, logger: NetworkTestClient.quietLogger, endsAllChildren: false, tracer: tracer)
        let addresses = try await gateway.start(.network)
        let url = try XCTUnwrap(addresses.mcp)
        addTeardownBlock { await gateway.stop(grace: .seconds(1)) }
        let client = try await connect(.remote("traced", url: url, kind: .streamableHTTP))

        let clientTrace = "0000000000000000000000000000abcd"
        let clientSpan = "00000000000000ef"
        let answer = try await client.call("tools/call", params: #"{"name":"alpha__meta","arguments":{},"_meta":{"traceparent":"00-\#(clientTrace)-\#(clientSpan)-01"}}"#)
        XCTAssertNil(answer.errorCode, "\(answer)")
        let seenByUpstream = try XCTUnwrap(answer.result?["content"]?.arrayValue?.first?["text"]?.stringValue, "\(answer)")

        let deadline = ContinuousClock.now + .seconds(5)
        while tracer.inner.finishedSpans.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let spans = tracer.inner.finishedSpans
        let server = try XCTUnwrap(spans.first { $0.operationName == "tools/call alpha__meta" }, "\(spans.map(\.operationName))")
        let upstream = try XCTUnwrap(spans.first { $0.operationName == "upstream alpha" })
        XCTAssertEqual(server.spanContext.traceID, clientTrace, "the client's trace continues")
        XCTAssertEqual(server.spanContext.parentSpanID, clientSpan)
        XCTAssertEqual(upstream.spanContext.parentSpanID, server.spanContext.spanID, "the upstream call is a child of the request")
        XCTAssertEqual(upstream.kind, .client)
        XCTAssertEqual(server.kind, .server)
        XCTAssertTrue(seenByUpstream.contains("00-\(clientTrace)-\(upstream.spanContext.spanID)-01"),
                      "the upstream received the upstream span's traceparent in _meta: \(seenByUpstream)")
        XCTAssertFalse(seenByUpstream.contains(clientSpan), "the client's own span id was replaced: \(seenByUpstream)")
    }
}

extension GatewayTracingTests {
    func testATraceparentHeaderOnThePostContinuesTheTraceWhenTheMessageHasNone() async throws {
        try Binaries.check()
        let tracer = W3CTestTracer()
        let text = #"{"mcpServers":{"alpha":{"command":"\#(Binaries.exampleServer)","args":["--name","alpha","--faults"]}},"proxy":{"listen":{"host":"127.0.0.1","port":0}}}"#
        let gateway = Gateway(config: try ConfigLoader.load(text: text, sourceName: "<test>", environment: [:]),
                              logger: NetworkTestClient.quietLogger, endsAllChildren: false, tracer: tracer)
        let addresses = try await gateway.start(.network)
        addTeardownBlock { await gateway.stop(grace: .seconds(1)) }
        let port = try XCTUnwrap(addresses.url.flatMap { URLComponents(string: $0)?.port })
        let initialize = try RawHTTP.request("POST", port: port, path: "/mcp", headers: RawHTTP.mcpHeaders(version: nil),
                                             body: #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#)
        let session = try XCTUnwrap(initialize.head.header("mcp-session-id"), "\(initialize.head)")
        _ = try RawHTTP.request("POST", port: port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: session),
                                body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        let trace = "000000000000000000000000000f00d1"
        let call = try RawHTTP.request(
            "POST", port: port, path: "/mcp",
            headers: RawHTTP.mcpHeaders(session: session) + [("traceparent", "00-\(trace)-00000000000000aa-01")],
            body: #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"alpha__meta","arguments":{}}}"#)
        XCTAssertEqual(call.head.status, 200, call.body)
        XCTAssertTrue(call.body.contains(trace), "the upstream saw the header's trace in _meta: \(call.body)")
        let deadline = ContinuousClock.now + .seconds(5)
        while !tracer.inner.finishedSpans.contains(where: { $0.operationName == "tools/call alpha__meta" }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let server = try XCTUnwrap(tracer.inner.finishedSpans.first { $0.operationName == "tools/call alpha__meta" })
        XCTAssertEqual(server.spanContext.traceID, trace)
        XCTAssertEqual(server.spanContext.parentSpanID, "00000000000000aa")
    }
}
