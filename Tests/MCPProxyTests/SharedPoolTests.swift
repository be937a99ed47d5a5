import JSONRPC
import MCPProxy
import MCPReliability
import MCPRouting
import XCTest

/// Shared mode: many client sessions on one upstream session, with per-client isolation, and
/// the reliability policy (breaker, fail-open, retries, deadlines, bulkhead) around it.
final class SharedPoolTests: XCTestCase {
    static func shared(_ configure: (inout UpstreamPolicy) -> Void = { _ in }) -> UpstreamPolicy {
        var policy = UpstreamPolicy(health: nil)
        configure(&policy)
        return policy
    }

    static let fastRestarts = ProxyOptions.testing { $0.restartDelay = .milliseconds(20); $0.maxRestartDelay = .milliseconds(100) }

    func testClientsShareOneUpstreamSessionAndEachGetsItsOwnAnswers() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared())
        alpha.setTools(["echo"])
        alpha.on("tools/call") { message, _ in
            let text = message.params?["arguments"]?["text"]?.stringValue ?? "?"
            return .delayed(.milliseconds(text == "first" ? 80 : 10), .result(#"{"content":[{"type":"text","text":"\#(text)"}]}"#))
        }
        try await withProxy([alpha]) { first in
            try await first.initialize()
            let second = try await first.anotherClient()
            try await second.initialize()
            XCTAssertEqual(alpha.transportsMade, 1, "two client sessions, one upstream session")
            XCTAssertEqual(alpha.received("initialize").count, 1, "the second client's initialize costs no upstream handshake")

            // The same client id in both sessions, answered out of order upstream.
            first.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__echo","arguments":{"text":"first"}}"#, id: "7"))
            second.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__echo","arguments":{"text":"second"}}"#, id: "7"))
            let one = try await first.client.response(to: .int(7))
            let two = try await second.client.response(to: .int(7))
            XCTAssertEqual(one.result?["content"]?.arrayValue.first?["text"]?.stringValue, "first", one.raw)
            XCTAssertEqual(two.result?["content"]?.arrayValue.first?["text"]?.stringValue, "second", two.raw)
            XCTAssertEqual(first.client.responses(to: .int(7)).count, 1)
            XCTAssertEqual(second.client.responses(to: .int(7)).count, 1)
            let stopped = await second.stop()
            XCTAssertTrue(stopped)
            XCTAssertEqual(alpha.transportsClosed, 0, "a client leaving does not stop the shared upstream session")
        }
        XCTAssertEqual(alpha.transportsClosed, 1, "the proxy's shutdown stops the shared upstream session")
    }

    /// A client's second call rides on the exclusive lease its first call took. When the first
    /// ends, the lease stays the client's until the second ends too: a question the upstream
    /// asks for the second call must reach this client, not one that took the lease meanwhile
    /// (seen in the interop test of server requests under load once the HTTP upstream got faster).
    func testTheLeaseStaysWithTheClientWhileItsRidingCallRuns() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared())
        alpha.setTools(["ask"])
        alpha.on("tools/call") { _, _ in .none }  // answered by the test
        try await withProxy([alpha]) { first in
            try await first.initialize(capabilities: #"{"sampling":{}}"#)
            let second = try await first.anotherClient()
            try await second.initialize(capabilities: #"{"sampling":{}}"#)

            first.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__ask","arguments":{"n":1}}"#, id: "1"))
            let call1 = try await alpha.firstRequest("tools/call")
            first.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__ask","arguments":{"n":2}}"#, id: "2"))
            let call2 = try await alpha.waitFor("the first client's second call") { $0.method == "tools/call" && $0.id != call1.id }
            second.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__ask","arguments":{"n":3}}"#, id: "1"))

            alpha.answer(call1, result: #"{"content":[]}"#)
            _ = try await first.client.response(to: .int(1))
            try await Task.sleep(for: .milliseconds(100))
            XCTAssertEqual(alpha.received("tools/call").count, 2, "the second client's call waits while the first client's riding call runs")

            alpha.send(ServerToClientTests.sampling(id: #""s-2""#, marker: "for-call-2"))
            let asked = try await first.client.waitFor("the sampling request for call 2") { $0.method == "sampling/createMessage" }
            XCTAssertEqual(asked.params?["systemPrompt"]?.stringValue, "for-call-2")
            let proxyID = try XCTUnwrap(asked.id?.intValue)
            first.client.push(#"{"jsonrpc":"2.0","id":\#(proxyID),"result":\#(ServerToClientTests.samplingResult(model: "m-first"))}"#)
            _ = try await alpha.waitFor("the sampling answer") { $0.isResponse && $0.id == .string("s-2") }

            alpha.answer(call2, result: #"{"content":[]}"#)
            _ = try await first.client.response(to: .int(2))
            let call3 = try await alpha.waitFor("the second client's call, once the lease is free") { $0.method == "tools/call" && $0.id != call1.id && $0.id != call2.id }
            alpha.answer(call3, result: #"{"content":[]}"#)
            _ = try await second.client.response(to: .int(1))
            XCTAssertTrue(second.client.received.filter { $0.method == "sampling/createMessage" }.isEmpty, "the second client was asked nothing")
        }
    }

    func testSamplingDuringALeasedCallReachesOnlyTheCallingClient() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared())
        alpha.setTools(["ask"])
        alpha.on("tools/call") { _, _ in .none }  // answered by the test
        try await withProxy([alpha]) { first in
            try await first.initialize(capabilities: #"{"sampling":{}}"#)
            let second = try await first.anotherClient()
            try await second.initialize(capabilities: #"{"sampling":{}}"#)

            first.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__ask"}"#, id: "1"))
            let call = try await alpha.firstRequest("tools/call")
            // The second client's call waits: the only upstream session is leased (max 1).
            second.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__ask"}"#, id: "1"))

            alpha.send(ServerToClientTests.sampling(id: #""s-1""#, marker: "for-first"))
            let asked = try await first.client.waitFor("the sampling request") { $0.method == "sampling/createMessage" }
            XCTAssertEqual(asked.params?["systemPrompt"]?.stringValue, "for-first")
            let proxyID = try XCTUnwrap(asked.id?.intValue)
            first.client.push(#"{"jsonrpc":"2.0","id":\#(proxyID),"result":\#(ServerToClientTests.samplingResult(model: "m-first"))}"#)
            let answer = try await alpha.waitFor("the sampling answer") { $0.isResponse && $0.id == .string("s-1") }
            XCTAssertEqual(answer.result?["model"]?.stringValue, "m-first")
            alpha.answer(call, result: #"{"content":[]}"#)
            _ = try await first.client.response(to: .int(1))

            let secondCall = try await alpha.waitFor("the second client's call") { $0.method == "tools/call" && $0.id != call.id }
            alpha.send(ServerToClientTests.sampling(id: #""s-2""#, marker: "for-second"))
            let askedSecond = try await second.client.waitFor("the second sampling request") { $0.method == "sampling/createMessage" }
            XCTAssertEqual(askedSecond.params?["systemPrompt"]?.stringValue, "for-second")
            alpha.answer(secondCall, result: #"{"content":[]}"#)
            _ = try await second.client.response(to: .int(1))

            XCTAssertEqual(first.client.received.filter { $0.method == "sampling/createMessage" }.count, 1, "the first client saw only its own request")
            XCTAssertEqual(second.client.received.filter { $0.method == "sampling/createMessage" }.count, 1, "the second client saw only its own request")
            await second.stop()
        }
    }

    func testAServerRequestNoClientHoldsIsRefused() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared())
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{}}"#)
            alpha.send(ServerToClientTests.sampling(id: "5"))
            let refusal = try await alpha.waitFor("the refusal") { $0.isResponse && $0.id == .int(5) }
            XCTAssertEqual(refusal.errorCode, -32601, refusal.raw)
            XCTAssertTrue(harness.client.received.filter { $0.method == "sampling/createMessage" }.isEmpty)
        }
    }

    func testRefuseModeDeclaresNoClientCapabilitiesUpstream() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared { $0.serverRequests = .refuse })
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{},"roots":{}}"#)
            let initialize = try await alpha.firstRequest("initialize")
            XCTAssertEqual(initialize.params?["capabilities"]?.objectValue?.keys.sorted() ?? ["missing"], [], initialize.raw)
        }
    }

    func testListChangedReachesEveryClient() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared())
        alpha.setTools(["one"])
        try await withProxy([alpha]) { first in
            try await first.initialize()
            let second = try await first.anotherClient()
            try await second.initialize()
            let before = try await first.listAll("tools/list", key: "tools")
            XCTAssertEqual(before, ["alpha__one"])
            alpha.setTools(["one", "two"])
            alpha.send(#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
            try await first.client.waitFor("list_changed at the first client") { $0.method == "notifications/tools/list_changed" }
            try await second.client.waitFor("list_changed at the second client") { $0.method == "notifications/tools/list_changed" }
            let after = try await second.listAll("tools/list", key: "tools")
            XCTAssertEqual(after, ["alpha__one", "alpha__two"])
            XCTAssertEqual(alpha.received("tools/list").count, 2, "lists are fetched once per change, not once per client")
            await second.stop()
        }
    }

    func testSubscriptionsAreCountedAcrossClientsAndUpdatesReachOnlySubscribers() async throws {
        let alpha = FakeUpstream("alpha", capabilities: #"{"resources":{"subscribe":true}}"#, policy: Self.shared())
        alpha.setList("resources/list", key: "resources", pages: [[#"{"uri":"file:///a","name":"a"}"#]])
        alpha.on("resources/subscribe") { _, _ in .result("{}") }
        alpha.on("resources/unsubscribe") { _, _ in .result("{}") }
        try await withProxy([alpha]) { first in
            try await first.initialize()
            let second = try await first.anotherClient()
            try await second.initialize()
            let third = try await first.anotherClient()
            try await third.initialize()
            let subscribe = #"{"uri":"file:///a"}"#
            _ = try await first.request("resources/subscribe", params: subscribe)
            _ = try await second.request("resources/subscribe", params: subscribe)
            XCTAssertEqual(alpha.received("resources/subscribe").count, 1, "one upstream subscription for two clients")

            alpha.send(#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"file:///a"}}"#)
            try await first.client.waitFor("the update at the first subscriber") { $0.method == "notifications/resources/updated" }
            try await second.client.waitFor("the update at the second subscriber") { $0.method == "notifications/resources/updated" }
            _ = try await third.request("ping")
            XCTAssertTrue(third.client.received.filter { $0.method == "notifications/resources/updated" }.isEmpty, "not subscribed, not told")

            _ = try await first.request("resources/unsubscribe", params: subscribe)
            XCTAssertEqual(alpha.received("resources/unsubscribe").count, 0, "the second client still needs it")
            _ = try await second.request("resources/unsubscribe", params: subscribe)
            XCTAssertEqual(alpha.received("resources/unsubscribe").count, 1, "the last one out unsubscribes upstream")
            await second.stop()
            await third.stop()
        }
    }

    func testBreakerOpensFailsFastAndHidesTheUpstreamFromLists() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared {
            $0.breaker = CircuitBreakerPolicy(failureThreshold: 2, openDuration: .seconds(30))
            $0.timeout = .milliseconds(100)
            $0.retry = .none
        })
        alpha.setTools(["hang"])
        alpha.on("tools/call") { _, _ in .none }
        let beta = FakeUpstream("beta", policy: Self.shared())
        beta.setTools(["fine"])
        beta.on("tools/call") { _, _ in .result(#"{"content":[]}"#) }
        try await withProxy([alpha, beta]) { harness in
            try await harness.initialize()
            let all = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(all.sorted(), ["alpha__hang", "beta__fine"])
            for _ in 0..<2 {
                let timedOut = try await harness.request("tools/call", params: #"{"name":"alpha__hang"}"#)
                XCTAssertEqual(timedOut.errorCode, -32001, timedOut.raw)
            }
            try await harness.client.waitFor("list_changed when alpha is hidden") { $0.method == "notifications/tools/list_changed" }
            let remaining = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(remaining, ["beta__fine"], "its tools leave the list")
            let started = ContinuousClock.now
            let refused = try await harness.request("tools/call", params: #"{"name":"beta__fine"}"#)
            XCTAssertNil(refused.error, "the other upstream keeps serving: \(refused.raw)")
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        }
    }

    func testCallsToAnOpenBreakerFailAtOnceWhenFailOpenKeepsTheTools() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared {
            $0.breaker = CircuitBreakerPolicy(failureThreshold: 1, openDuration: .seconds(30))
            $0.timeout = .milliseconds(100)
            $0.retry = .none
        })
        alpha.setTools(["hang"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha], options: .testing { $0.failOpen = .keep }) { harness in
            try await harness.initialize()
            _ = try await harness.listAll("tools/list", key: "tools")
            let timedOut = try await harness.request("tools/call", params: #"{"name":"alpha__hang"}"#)
            XCTAssertEqual(timedOut.errorCode, -32001, timedOut.raw)
            let refused = try await harness.request("tools/call", params: #"{"name":"alpha__hang"}"#)
            XCTAssertEqual(refused.errorCode, -32000, refused.raw)
            let message = refused.error?["message"]?.stringValue ?? ""
            XCTAssertTrue(message.contains("alpha") && message.contains("circuit breaker"), message)
            let kept = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(kept, ["alpha__hang"], "failOpen: keep leaves its tools listed")
            XCTAssertEqual(alpha.received("tools/call").count, 1, "the open breaker kept the second call from the upstream")
        }
    }

    func testASafeRequestIsRetriedOnAFreshSessionAfterTheUpstreamDies() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared { $0.retry = RetryPolicy(attempts: 2, backoff: .milliseconds(10)) })
        alpha.setList("tools/list", key: "tools", pages: [[#"{"name":"read","inputSchema":{"type":"object"},"annotations":{"readOnlyHint":true}}"#, FakeUpstream.tool("write")]])
        alpha.on("tools/call") { _, count -> FakeUpstream.Reply in
            count == 1 ? .none : .result(#"{"content":[{"type":"text","text":"ok"}]}"#)
        }
        try await withProxy([alpha], options: Self.fastRestarts) { harness in
            try await harness.initialize()
            _ = try await harness.listAll("tools/list", key: "tools")
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__read"}"#, id: "9"))
            _ = try await alpha.firstRequest("tools/call")
            alpha.die()
            let answer = try await harness.client.response(to: .int(9))
            XCTAssertEqual(answer.result?["content"]?.arrayValue.first?["text"]?.stringValue, "ok", answer.raw)
            XCTAssertEqual(harness.client.responses(to: .int(9)).count, 1, "exactly one response")
            XCTAssertEqual(alpha.transportsMade, 2, "the pool opened a fresh upstream session")
        }
    }

    func testAnUnsafeCallIsNotRetriedAndGetsOneError() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared())
        alpha.setTools(["write"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha], options: Self.fastRestarts) { harness in
            try await harness.initialize()
            _ = try await harness.listAll("tools/list", key: "tools")
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__write"}"#, id: "3"))
            _ = try await alpha.firstRequest("tools/call")
            alpha.die()
            let answer = try await harness.client.response(to: .int(3))
            XCTAssertEqual(answer.errorCode, -32000, answer.raw)
            XCTAssertEqual(alpha.received("tools/call").count, 1, "a call that may have side effects is sent once")
            // The pool recovers: a later call is served by a fresh upstream session.
            alpha.on("tools/call") { _, _ in .result(#"{"content":[]}"#) }
            let later = try await harness.request("tools/call", params: #"{"name":"alpha__write"}"#)
            XCTAssertNil(later.error, later.raw)
        }
    }

    func testPerToolTimeoutCancelsUpstream() async throws {
        let slow = try GlobPattern("slow*")
        let alpha = FakeUpstream("alpha", policy: Self.shared { $0.toolTimeouts = [.init(pattern: slow, timeout: .milliseconds(150))] })
        alpha.setTools(["slow_one", "quick"])
        alpha.on("tools/call") { message, _ -> FakeUpstream.Reply in
            message.params?["name"]?.stringValue == "quick" ? .delayed(.milliseconds(400), .result(#"{"content":[]}"#)) : .none
        }
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            _ = try await harness.listAll("tools/list", key: "tools")
            let timedOut = try await harness.request("tools/call", params: #"{"name":"alpha__slow_one"}"#)
            XCTAssertEqual(timedOut.errorCode, -32001, timedOut.raw)
            let cancel = try await alpha.waitFor("the cancellation upstream") { $0.method == "notifications/cancelled" }
            XCTAssertNotNil(cancel.params?["requestId"])
            let quick = try await harness.request("tools/call", params: #"{"name":"alpha__quick"}"#)
            XCTAssertNil(quick.error, "the server-wide timeout (10 s here) applies to other tools: \(quick.raw)")
        }
    }

    func testBulkheadRefusesPastItsQueue() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared { $0.maxConcurrent = 1; $0.maxQueued = 0 })
        alpha.setTools(["hang"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            _ = try await harness.listAll("tools/list", key: "tools")
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__hang"}"#, id: "1"))
            _ = try await alpha.firstRequest("tools/call")
            let refused = try await harness.request("tools/call", params: #"{"name":"alpha__hang"}"#)
            XCTAssertEqual(refused.errorCode, -32000, refused.raw)
            XCTAssertTrue(refused.error?["message"]?.stringValue?.contains("maxConcurrent") == true, refused.raw)
            XCTAssertEqual(alpha.received("tools/call").count, 1)
        }
    }

    func testStatusComesFromThePoolWithoutStartingAnything() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared())
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            let results = await harness.proxy.probeUpstreams()
            XCTAssertEqual(results.map(\.ready), [true])
            XCTAssertEqual(alpha.transportsMade, 1, "readiness uses the pool's session")
            XCTAssertEqual(alpha.received("initialize").count, 1)
        }
    }

    func testAnUnreadableReplyFailsItsRequestAtOnce() async throws {
        let alpha = FakeUpstream("alpha", policy: Self.shared())
        alpha.setTools(["one", "two"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            _ = try await harness.listAll("tools/list", key: "tools")
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__one"}"#, id: "1"))
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__two"}"#, id: "2"))
            let calls = try await alpha.waitForRequests("tools/call", count: 2)
            let second = try XCTUnwrap(calls.first { $0.params?["name"]?.stringValue == "two" })
            // A truncated, unparseable answer to the second call: its id is still readable.
            alpha.send(#"{"jsonrpc":"2.0","id":\#(second.id?.text ?? "0"),"result":{"content":[{"type":"text","text":"cut"#)
            let failed = try await harness.client.response(to: .int(2), timeout: .seconds(2))
            XCTAssertEqual(failed.errorCode, -32603, failed.raw)
            XCTAssertTrue(harness.client.responses(to: .int(1)).isEmpty, "the other request is still waiting for its own answer")
            let first = try XCTUnwrap(calls.first { $0.params?["name"]?.stringValue == "one" })
            alpha.answer(first, result: #"{"content":[]}"#)
            let answered = try await harness.client.response(to: .int(1))
            XCTAssertNil(answered.error, answered.raw)
        }
    }

    func testAnIdlePerSessionUpstreamIsClosedQuietlyAndReopenedOnDemand() async throws {
        var policy = UpstreamPolicy.isolated
        policy.idleTimeout = .milliseconds(100)
        let alpha = FakeUpstream("alpha", policy: policy)
        alpha.setTools(["echo"])
        alpha.on("tools/call") { _, _ in .result(#"{"content":[]}"#) }
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            _ = try await harness.listAll("tools/list", key: "tools")
            _ = try await harness.request("tools/call", params: #"{"name":"alpha__echo"}"#)
            try await eventually("the idle child to be closed", timeout: .seconds(3)) { alpha.transportsClosed == 1 }
            XCTAssertTrue(harness.client.received.filter { $0.method == "notifications/tools/list_changed" }.isEmpty,
                          "closing an idle child is not a failure: the tools stay")
            let again = try await harness.request("tools/call", params: #"{"name":"alpha__echo"}"#)
            XCTAssertNil(again.error, again.raw)
            XCTAssertEqual(alpha.transportsMade, 2, "the next call opened a fresh child")
        }
    }

    func testPerSessionChildrenAreCappedAcrossClientSessions() async throws {
        var policy = UpstreamPolicy.isolated
        policy.maxChildren = 1
        let alpha = FakeUpstream("alpha", policy: policy)
        alpha.setTools(["echo"])
        alpha.on("tools/call") { _, _ in .result(#"{"content":[]}"#) }
        try await withProxy([alpha], options: Self.fastRestarts) { first in
            try await first.initialize()
            let served = try await first.request("tools/call", params: #"{"name":"alpha__echo"}"#)
            XCTAssertNil(served.error, served.raw)
            let second = try await first.anotherClient()
            try await second.initialize()
            let tools = try await second.listAll("tools/list", key: "tools")
            XCTAssertEqual(tools, [], "at the cap, the second session gets no child, so no tools of it")
            XCTAssertEqual(alpha.transportsMade, 1, "the second session started no child")
            // When the first client leaves, its child stops, and the second session's retry gets the slot.
            first.client.disconnect()
            try await eventually("the first child to stop") { alpha.transportsClosed == 1 }
            try await second.client.waitFor("list_changed when the second session's child starts", timeout: .seconds(5)) {
                $0.method == "notifications/tools/list_changed"
            }
            let later = try await second.request("tools/call", params: #"{"name":"alpha__echo"}"#)
            XCTAssertNil(later.error, later.raw)
            XCTAssertEqual(alpha.transportsMade, 2)
            await second.stop()
        }
    }
}
