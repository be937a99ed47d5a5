import JSONRPC
import MCPProxy
import XCTest

/// JSON-RPC batches, accepted under 2025-03-26 only.
final class BatchTests: XCTestCase {
    func testMixedBatchGetsOneArrayWithTheRightResponses() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["echo"])
        alpha.on("tools/call") { _, _ in .delayed(.milliseconds(20), .result(#"{"content":[{"type":"text","text":"echoed"}]}"#)) }
        try await withProxy([alpha]) { harness in
            let initialized = try await harness.initialize(version: "2025-03-26")
            XCTAssertEqual(initialized.result?["protocolVersion"]?.stringValue, "2025-03-26")
            _ = try await harness.request("tools/list")
            let before = harness.client.received.count
            harness.client.push("""
                [{"jsonrpc":"2.0","id":1,"method":"ping"},\
                {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"alpha__echo","arguments":{}}},\
                {"jsonrpc":"2.0","method":"notifications/initialized"},\
                {"foo":1},\
                {"jsonrpc":"2.0","id":3,"method":"no/such"}]
                """)
            let batch = try await harness.client.waitFor("the batch answer") { $0.isBatch }
            let byID = Dictionary(batch.elements.map { ($0["id"]?.text ?? "absent", $0) }, uniquingKeysWith: { first, _ in first })
            XCTAssertEqual(batch.elements.count, 4, batch.raw)
            XCTAssertEqual(Set(byID.keys), ["1", "2", "3", "null"], batch.raw)
            XCTAssertEqual(byID["1"]?["result"], .object([:]))
            XCTAssertEqual(byID["2"]?["result"]?["content"]?.arrayValue.first?["text"]?.stringValue, "echoed")
            XCTAssertEqual(byID["3"]?["error"]?["code"], .int(-32601))
            XCTAssertEqual(byID["null"]?["error"]?["code"], .int(-32600))
            // Nothing but the one array was sent for it.
            _ = try await harness.request("ping")
            let after = harness.client.received.dropFirst(before)
            XCTAssertEqual(after.count, 2, "the batch array and the ping answer only: \(Array(after))")
        }
    }

    func testBatchOfNotificationsOnlyGetsNoAnswer() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize(version: "2025-03-26")
            let before = harness.client.received.count
            harness.client.push(#"[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}]"#)
            let pong = try await harness.request("ping", id: #""after""#)
            let after = Array(harness.client.received.dropFirst(before))
            XCTAssertEqual(after.map(\.raw), [pong.raw], "nothing may be sent for a batch of notifications")
        }
    }

    func testBatchIsRejectedUnderLaterVersions() async throws {
        try await withProxy([FakeUpstream("alpha")]) { harness in
            try await harness.initialize(version: "2025-11-25")
            harness.client.push(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#)
            let rejection = try await harness.client.waitFor("the rejection") { $0.isResponse && $0.id == .null }
            XCTAssertEqual(rejection.errorCode, -32600, rejection.raw)
            XCTAssertTrue(harness.client.responses(to: .int(1)).isEmpty)
        }
    }

    /// A batch pipelined behind `initialize` (2025-03-26 requested) should queue like a single
    /// message: answered after `initialize`, as a batch.
    func testBatchPipelinedBehindInitializeIsAnsweredAfterIt() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.on("initialize") { _, _ in
            .delayed(.milliseconds(100), .result(#"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"a","version":"1"}}"#))
        }
        try await withProxy([alpha]) { harness in
            harness.client.push(ProxyHarness.initializeRequest(id: "1", version: "2025-03-26"))
            harness.client.push(#"[{"jsonrpc":"2.0","id":2,"method":"ping"},{"jsonrpc":"2.0","id":3,"method":"no/such"}]"#)
            try await harness.client.response(to: .int(1))
            let first = try XCTUnwrap(harness.client.received.first)
            XCTAssertEqual(first.id, .int(1), "initialize must be answered before anything pipelined behind it; got first: \(first.raw)")
            let batch = try await harness.client.waitFor("the batch answer", timeout: .seconds(1)) { $0.isBatch }
            XCTAssertEqual(Set(batch.elements.compactMap { $0["id"]?.intValue }), [2, 3], batch.raw)
        }
    }
}
