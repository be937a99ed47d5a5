import JSONRPC
import XCTest

/// Test 15: JSON-RPC batches exist only in protocol 2025-03-26.
final class BatchTests: ProxyTestCase {
    private let batch = #"[{"jsonrpc":"2.0","id":"b1","method":"tools/call","params":{"name":"alpha__echo","arguments":{"text":"one"}}},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"nothing"}},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"beta__slow","arguments":{"seconds":0.1}}}]"#

    func testBatchUnder20250326GetsOneArrayOfResponses() async throws {
        let proxy = try await startInitialized(version: "2025-03-26")
        _ = try await proxy.call("tools/list")
        try proxy.send(batch)
        let reply = try await proxy.waitFor("a batch response") { $0.isBatch }
        let elements = try XCTUnwrap(reply.json?.arrayValue, reply.line)
        XCTAssertEqual(elements.count, 2, "two requests, one notification: two responses: \(reply.line)")
        let byID = Dictionary(uniqueKeysWithValues: elements.map { ($0["id"] ?? .null, $0) })
        XCTAssertEqual(byID[.string("b1")]?["result"]?["content"]?.arrayValue?.first?["text"], .string("one"), reply.line)
        XCTAssertEqual(byID[.int(2)]?["result"]?["content"]?.arrayValue?.first?["text"], .string("slept 0.1s"), reply.line)
        XCTAssertEqual(proxy.messages { $0.isResponse && ($0.idText == #""b1""# || $0.idText == "2") }.count, 0,
                       "batch members are answered only inside the array")
        try await assertStillServing(proxy, after: "a batch")
    }

    func testBatchUnder20251125IsRefused() async throws {
        let proxy = try await startInitialized(version: "2025-11-25")
        let mark = proxy.mark
        try proxy.send(batch)
        let seen = try await proxy.pingAndCollect(since: mark).dropLast()
        XCTAssertEqual(seen.count, 1, "one error for the whole array: \(Array(seen))")
        XCTAssertEqual(seen.first?.errorCode, -32600, seen.first?.line ?? "")
        XCTAssertEqual(seen.first?.idText, "null")
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(proxy.messages { $0.idText == #""b1""# || $0.idText == "2" }.count, 0, "nothing in the refused batch runs")
    }
}
