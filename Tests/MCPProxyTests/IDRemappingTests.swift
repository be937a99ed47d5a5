import JSONRPC
import MCPProxy
import XCTest

/// Client ids and progress tokens never reach upstreams, and come back byte for byte.
final class IDRemappingTests: XCTestCase {
    /// A log notification from the upstream: once the client has it, everything the upstream sent
    /// before it has been handled by the proxy.
    static let barrier = #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"barrier"}}"#

    func testResponseIDsAreRestoredByteExactlyAndUpstreamSeesOnlyItsOwnIDs() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["echo", "fail"])
        alpha.on("tools/call") { request, _ in
            if request.params?["name"]?.stringValue == "fail" { return .error(code: -32050, message: "it failed") }
            // Answer late so every request is in flight at once.
            return .delayed(.milliseconds(30), .result(#"{"content":[{"type":"text","text":"ok"}]}"#))
        }
        // JSON texts of the ids, as the client writes them.
        let ids = [#""plain""#, "42", #""42""#, "-7", #""q\"uo\\te""#, #""\u00e9t\u00e9""#, #""e1""#]
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            _ = try await harness.request("tools/list")
            for id in ids {
                let tool = id == #""e1""# ? "alpha__fail" : "alpha__echo"
                harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"\#(tool)","arguments":{}}"#, id: id))
            }
            for id in ids {
                let expected = try JSONValue(parsing: Array(id.utf8))
                let response = try await harness.client.response(to: expected)
                XCTAssertTrue(response.raw.contains(#""id":\#(id)"#), "id \(id) not restored byte-exactly: \(response.raw)")
                XCTAssertEqual(harness.client.responses(to: expected).count, 1, "one response for \(id)")
                if id == #""e1""# {
                    XCTAssertEqual(response.errorCode, -32050, response.raw)
                } else {
                    XCTAssertNotNil(response.result, response.raw)
                }
            }
            let calls = alpha.received("tools/call")
            XCTAssertEqual(calls.count, ids.count)
            var upstreamIDs = Set<Int64>()
            for call in calls {
                let upstreamID = try XCTUnwrap(call.id?.intValue, "upstream ids are the proxy's integers: \(call.raw)")
                XCTAssertNotEqual(upstreamID, 42)
                XCTAssertNotEqual(upstreamID, -7)
                upstreamIDs.insert(upstreamID)
                for id in ids where id.hasPrefix("\"") {
                    XCTAssertFalse(call.raw.contains(id), "client id \(id) leaked upstream: \(call.raw)")
                }
            }
            XCTAssertEqual(upstreamIDs.count, ids.count, "every forwarded request has its own upstream id")
        }
    }

    func testProgressTokenIsRewrittenUpstreamAndRestoredForTheClient() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["slow"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            _ = try await harness.request("tools/list")
            let clientToken = #""tok-\"1\"""#
            harness.client.push(ProxyHarness.requestText(
                "tools/call", params: #"{"name":"alpha__slow","arguments":{},"_meta":{"progressToken":\#(clientToken)}}"#, id: #""call-1""#))
            let call = try await alpha.firstRequest("tools/call")
            let upstreamToken = try XCTUnwrap(call.params?["_meta"]?["progressToken"], call.raw)
            XCTAssertNotNil(upstreamToken.intValue, "the upstream gets the proxy's own token: \(call.raw)")
            XCTAssertFalse(call.raw.contains("tok-"), call.raw)

            alpha.send(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":\#(upstreamToken.text),"progress":1,"total":2,"message":"half"}}"#)
            let progress = try await harness.client.waitFor("progress") { $0.method == "notifications/progress" }
            XCTAssertTrue(progress.raw.contains(#""progressToken":\#(clientToken)"#), "client token not restored: \(progress.raw)")
            XCTAssertEqual(progress.params?["progress"], .int(1))
            XCTAssertEqual(progress.params?["message"]?.stringValue, "half")

            alpha.answer(call, result: #"{"content":[]}"#)
            let response = try await harness.client.response(to: .string("call-1"))
            XCTAssertNotNil(response.result, response.raw)

            // Progress after the response has no request to belong to: dropped.
            alpha.send(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":\#(upstreamToken.text),"progress":2,"total":2}}"#)
            alpha.send(Self.barrier)
            try await harness.client.waitFor("the barrier log message") { $0.method == "notifications/message" }
            XCTAssertEqual(harness.client.received.filter { $0.method == "notifications/progress" }.count, 1, "\(harness.client.received)")
        }
    }

    func testCancellationIsForwardedWithTheUpstreamIDAndTheLateResponseIsDropped() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["slow"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            _ = try await harness.request("tools/list")
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__slow","arguments":{}}"#, id: #""c1""#))
            let call = try await alpha.firstRequest("tools/call")
            let upstreamID = try XCTUnwrap(call.id)

            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c1","reason":"user pressed stop"}}"#)
            let cancelled = try await alpha.waitFor("notifications/cancelled") { $0.method == "notifications/cancelled" }
            XCTAssertEqual(cancelled.params?["requestId"], upstreamID, cancelled.raw)
            XCTAssertEqual(cancelled.params?["reason"]?.stringValue, "user pressed stop")

            alpha.answer(call, result: #"{"content":[{"type":"text","text":"too late"}]}"#)
            alpha.send(Self.barrier)
            try await harness.client.waitFor("the barrier log message") { $0.method == "notifications/message" }
            XCTAssertTrue(harness.client.responses(to: .string("c1")).isEmpty, "a cancelled request must get no response: \(harness.client.received)")

            // The id is free again: the client may reuse it.
            alpha.on("tools/call") { _, _ in .result(#"{"content":[]}"#) }
            let again = try await harness.request("tools/call", params: #"{"name":"alpha__slow","arguments":{}}"#, id: #""c1""#)
            XCTAssertNotNil(again.result, again.raw)
        }
    }

    func testCancellationMatchesTheIDByValueNotBySpelling() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["slow"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            _ = try await harness.request("tools/list")
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__slow","arguments":{}}"#, id: #""\u0061b""#))
            let call = try await alpha.firstRequest("tools/call")
            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"ab"}}"#)
            let cancelled = try await alpha.waitFor("notifications/cancelled") { $0.method == "notifications/cancelled" }
            XCTAssertEqual(cancelled.params?["requestId"], call.id, cancelled.raw)
        }
    }

    func testCancellingAnUnknownRequestSendsNothingUpstream() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"nobody"}}"#)
            _ = try await harness.request("ping")
            XCTAssertTrue(alpha.received("notifications/cancelled").isEmpty, "\(alpha.received)")
        }
    }
}
