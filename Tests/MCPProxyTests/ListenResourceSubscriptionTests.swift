import JSONRPC
import Logging
import MCPProxy
import XCTest

/// `subscriptions/listen` with `resourceSubscriptions` at the proxy (SessionListenResources.swift,
/// UpstreamService+Listen.swift), against fake upstreams of both eras: the URI is subscribed at
/// its owner, the acknowledgement names only the URIs that hold, updates arrive tagged with the
/// listen's id, and cancelling the listen unsubscribes upstream. A 2026-07-28 upstream also gets
/// the proxy's own listen for the list changes it declares.
final class ListenResourceSubscriptionTests: XCTestCase {
    static let envelope = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#

    static func listen(id: String, uris: [String]) -> String {
        let list = uris.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"jsonrpc":"2.0","id":"\#(id)","method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true,"resourceSubscriptions":[\#(list)]},\#(envelope)}}"#
    }

    static func cancel(id: String) -> String {
        #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"\#(id)"}}"#
    }

    static func files(capabilities: String) -> FakeUpstream {
        let files = FakeUpstream("files", capabilities: capabilities)
        files.setList("resources/list", key: "resources", pages: [[#"{"uri":"file:///a.txt","name":"a"}"#]])
        files.setList("resources/templates/list", key: "resourceTemplates", pages: [[]])
        files.on("resources/subscribe") { request, _ in
            // With one resource upstream, unknown URIs are routed here too (as resources/read is).
            request.params?["uri"]?.stringValue == "file:///a.txt" ? .result("{}") : .error(code: -32002, message: "Resource not found")
        }
        files.on("resources/unsubscribe") { _, _ in .result("{}") }
        return files
    }

    func acknowledgement(_ harness: ProxyHarness, id: String) async throws -> WireMessage {
        try await harness.client.waitFor("the acknowledgement") {
            $0.method == "notifications/subscriptions/acknowledged"
                && $0.params?["_meta"]?["io.modelcontextprotocol/subscriptionId"]?.stringValue == id
        }
    }

    func testHandshakeEraUpstreamIsSubscribedAndItsUpdatesAreTagged() async throws {
        let files = Self.files(capabilities: #"{"resources":{"subscribe":true}}"#)
        try await withProxy([files]) { harness in
            harness.client.push(Self.listen(id: "L1", uris: ["file:///a.txt", "nowhere://x"]))
            let subscribe = try await files.firstRequest("resources/subscribe")
            XCTAssertEqual(subscribe.params?["uri"]?.stringValue, "file:///a.txt")
            // "nowhere://x" is tried and refused by the upstream: it is left out.
            let ack = try await acknowledgement(harness, id: "L1")
            XCTAssertEqual(ack.params?["notifications"]?["resourceSubscriptions"]?.arrayValue.compactMap(\.stringValue), ["file:///a.txt"], ack.raw)
            XCTAssertEqual(ack.params?["notifications"]?["toolsListChanged"]?.boolValue, true, ack.raw)

            files.send(#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"file:///a.txt"}}"#)
            let update = try await harness.client.waitFor("the update") { $0.method == "notifications/resources/updated" }
            XCTAssertEqual(update.params?["uri"]?.stringValue, "file:///a.txt")
            XCTAssertEqual(update.params?["_meta"]?["io.modelcontextprotocol/subscriptionId"]?.stringValue, "L1", update.raw)

            harness.client.push(Self.cancel(id: "L1"))
            let unsubscribe = try await files.firstRequest("resources/unsubscribe")
            XCTAssertEqual(unsubscribe.params?["uri"]?.stringValue, "file:///a.txt")
        }
    }

    func testAnUpstreamWithoutSubscribeIsLeftOutOfTheAcknowledgement() async throws {
        let files = Self.files(capabilities: #"{"resources":{}}"#)
        try await withProxy([files]) { harness in
            harness.client.push(Self.listen(id: "L2", uris: ["file:///a.txt"]))
            let ack = try await acknowledgement(harness, id: "L2")
            XCTAssertNil(ack.params?["notifications"]?["resourceSubscriptions"], ack.raw)
            XCTAssertTrue(files.received("resources/subscribe").isEmpty)
        }
    }

    func testTwoListensShareOneUpstreamSubscription() async throws {
        let files = Self.files(capabilities: #"{"resources":{"subscribe":true}}"#)
        try await withProxy([files]) { harness in
            harness.client.push(Self.listen(id: "A", uris: ["file:///a.txt"]))
            _ = try await acknowledgement(harness, id: "A")
            harness.client.push(Self.listen(id: "B", uris: ["file:///a.txt"]))
            _ = try await acknowledgement(harness, id: "B")
            XCTAssertEqual(files.received("resources/subscribe").count, 1)
            files.send(#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"file:///a.txt"}}"#)
            try await eventually("both listens to get the update") {
                let tags = harness.client.received.filter { $0.method == "notifications/resources/updated" }
                    .compactMap { $0.params?["_meta"]?["io.modelcontextprotocol/subscriptionId"]?.stringValue }
                return Set(tags) == ["A", "B"]
            }
            harness.client.push(Self.cancel(id: "A"))
            try await Task.sleep(for: .milliseconds(200))
            XCTAssertTrue(files.received("resources/unsubscribe").isEmpty, "B still listens")
            harness.client.push(Self.cancel(id: "B"))
            _ = try await files.firstRequest("resources/unsubscribe")
        }
    }

    func testModernUpstreamGetsListensForListChangesAndResources() async throws {
        let modern = Self.files(capabilities: "{}")
        modern.on("server/discover") { _, _ in
            .result(#"{"supportedVersions":["2026-07-28"],"capabilities":{"tools":{"listChanged":true},"resources":{"subscribe":true}},"ttlMs":0,"cacheScope":"private","resultType":"complete"}"#)
        }
        modern.on("subscriptions/listen") { _, _ in .none }
        let make: ProxyHarness.ProxyFactory = { definitions, options, logger in
            var definitions = definitions
            definitions[0].era = .modern
            return MCPProxy(upstreams: definitions, options: options, logger: logger)
        }
        try await withProxy([modern], make: make) { harness in
            harness.client.push(Self.listen(id: "L3", uris: ["file:///a.txt"]))
            let listens = try await modern.waitForRequests("subscriptions/listen", count: 2)
            let lists = try XCTUnwrap(listens.first { $0.params?["notifications"]?["toolsListChanged"]?.boolValue == true }, "\(listens.map(\.raw))")
            XCTAssertNil(lists.params?["notifications"]?["resourceSubscriptions"])
            XCTAssertNotNil(lists.params?["_meta"]?["io.modelcontextprotocol/protocolVersion"], "the proxy's listen carries its envelope: \(lists.raw)")
            let resource = try XCTUnwrap(listens.first { $0.params?["notifications"]?["resourceSubscriptions"] != nil })
            XCTAssertEqual(resource.params?["notifications"]?["resourceSubscriptions"]?.arrayValue.compactMap(\.stringValue), ["file:///a.txt"])
            XCTAssertTrue(modern.received("resources/subscribe").isEmpty, "2026-07-28 removed resources/subscribe")
            _ = try await acknowledgement(harness, id: "L3")

            // The upstream's own frames: its acknowledgement stays inside the proxy; updates are re-tagged.
            let upstreamID = resource.id?.text ?? "0"
            modern.send(#"{"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":\#(upstreamID)},"notifications":{"resourceSubscriptions":["file:///a.txt"]}}}"#)
            modern.send(#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":\#(upstreamID)},"uri":"file:///a.txt"}}"#)
            let update = try await harness.client.waitFor("the update") { $0.method == "notifications/resources/updated" }
            XCTAssertEqual(update.params?["_meta"]?["io.modelcontextprotocol/subscriptionId"]?.stringValue, "L3", update.raw)
            let acks = harness.client.received.filter { $0.method == "notifications/subscriptions/acknowledged" }
            XCTAssertEqual(acks.count, 1, "only the client's own acknowledgement: \(acks.map(\.raw))")

            harness.client.push(Self.cancel(id: "L3"))
            let cancelled = try await modern.waitFor("the listen's cancellation") { $0.method == "notifications/cancelled" }
            XCTAssertEqual(cancelled.params?["requestId"]?.text, upstreamID, cancelled.raw)
        }
    }
}

/// A handshake-era client's `resources/subscribe` of a 2026-07-28 upstream's resource
/// (SessionModernSubscribe.swift): answered by the proxy, held upstream as a listen.
final class ModernUpstreamSubscribeTests: XCTestCase {
    func testSubscribeBecomesAnUpstreamListenAndUpdatesArriveUntagged() async throws {
        let modern = ListenResourceSubscriptionTests.files(capabilities: "{}")
        modern.on("server/discover") { _, _ in
            .result(#"{"supportedVersions":["2026-07-28"],"capabilities":{"resources":{"subscribe":true}},"ttlMs":0,"cacheScope":"private","resultType":"complete"}"#)
        }
        modern.on("subscriptions/listen") { _, _ in .none }
        let make: ProxyHarness.ProxyFactory = { definitions, options, logger in
            var definitions = definitions
            definitions[0].era = .modern
            return MCPProxy(upstreams: definitions, options: options, logger: logger)
        }
        try await withProxy([modern], make: make) { harness in
            try await harness.initialize()
            let answer = try await harness.request("resources/subscribe", params: #"{"uri":"file:///a.txt"}"#)
            XCTAssertNotNil(answer.result, answer.raw)
            let listen = try await modern.firstRequest("subscriptions/listen")
            XCTAssertEqual(listen.params?["notifications"]?["resourceSubscriptions"]?.arrayValue.compactMap(\.stringValue), ["file:///a.txt"])
            XCTAssertTrue(modern.received("resources/subscribe").isEmpty)

            let upstreamID = listen.id?.text ?? "0"
            modern.send(#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":\#(upstreamID)},"uri":"file:///a.txt"}}"#)
            let update = try await harness.client.waitFor("the update") { $0.method == "notifications/resources/updated" }
            XCTAssertEqual(update.params?["uri"]?.stringValue, "file:///a.txt")
            XCTAssertNil(update.params?["_meta"], "the proxy's upstream listen tag stays inside: \(update.raw)")

            let unsubscribed = try await harness.request("resources/unsubscribe", params: #"{"uri":"file:///a.txt"}"#)
            XCTAssertNotNil(unsubscribed.result, unsubscribed.raw)
            let cancelled = try await modern.waitFor("the listen's cancellation") { $0.method == "notifications/cancelled" }
            XCTAssertEqual(cancelled.params?["requestId"]?.text, upstreamID)
        }
    }
}
