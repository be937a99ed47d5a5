import JSONRPC
import XCTest

/// Test 3: client ids go upstream as the proxy's own and come back exactly as the client wrote them.
final class IdRemappingTests: ProxyTestCase {
    func testIdsComeBackByteIdentical() async throws {
        let proxy = try await startInitialized()
        _ = try await proxy.call("tools/list")  // load the catalog so calls are forwarded at once
        let ids = [#""abc-1""#, "0", "9007199254740993", "-42", #""""#, #""caf\u00e9-\"x\"""#, #""7""#]
        for (index, id) in ids.enumerated() {
            let response = try await proxy.callTool("alpha__echo", arguments: #"{"text":"call \#(index)"}"#, id: id)
            XCTAssertEqual(response.idText, id, "id token must come back byte-identical: \(response.line)")
            XCTAssertTrue(response.line.contains(#""id":\#(id)"#), response.line)
            XCTAssertEqual(response.toolText, "call \(index)")
        }
        // Answers the proxy makes itself keep the id too.
        let unknown = try await proxy.callTool("alpha__nope", id: "9007199254740993")
        XCTAssertEqual(unknown.idText, "9007199254740993")
        XCTAssertEqual(unknown.errorCode, -32602)
        let pong = try await proxy.call("ping", id: #""p\u0069ng""#)
        XCTAssertEqual(pong.idText, #""p\u0069ng""#)
    }

    func testAnIdInFlightCannotBeReusedButIntAndStringIdsAreDistinct() async throws {
        let proxy = try await startInitialized()
        _ = try await proxy.call("tools/list")
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__slow","arguments":{"seconds":0.5}}"#, id: "77")
        try proxy.sendRequest("tools/call", params: #"{"name":"beta__echo","arguments":{"text":"dup"}}"#, id: "77")
        let rejected = try await proxy.response(to: "77")
        XCTAssertEqual(rejected.errorCode, -32600, "the second request with id 77 while the first is in flight: \(rejected.line)")
        let first = try await proxy.response(to: "77")
        XCTAssertEqual(first.toolText, "slept 0.5s", first.line)
        XCTAssertTrue(proxy.messages { $0.idText == "77" }.count == 2, "exactly two responses with id 77")

        // Once answered, the id is free again.
        let reused = try await proxy.callTool("beta__echo", arguments: #"{"text":"again"}"#, id: "77")
        XCTAssertEqual(reused.toolText, "again", reused.line)

        // 5 and "5" are different ids.
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__slow","arguments":{"seconds":0.2}}"#, id: "5")
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__echo","arguments":{"text":"string five"}}"#, id: #""5""#)
        let stringFive = try await proxy.response(to: #""5""#)
        XCTAssertEqual(stringFive.toolText, "string five", stringFive.line)
        let numberFive = try await proxy.response(to: "5")
        XCTAssertEqual(numberFive.toolText, "slept 0.2s", numberFive.line)
    }

    func testConcurrentCallsToTwoUpstreamsEachGetTheirOwnId() async throws {
        let proxy = try await startInitialized()
        _ = try await proxy.call("tools/list")
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__slow","arguments":{"seconds":0.6}}"#, id: #""a-slow""#)
        try proxy.sendRequest("tools/call", params: #"{"name":"beta__slow","arguments":{"seconds":0.2}}"#, id: #""b-slow""#)
        // Both upstreams number their requests from the same start; the client must never see those.
        var expected: [String: String] = [:]
        for index in 0..<10 {
            let upstream = index % 2 == 0 ? "alpha" : "beta"
            let id = index % 3 == 0 ? String(index + 1) : #""\#(upstream)-\#(index)""#
            expected[id] = "\(upstream) text \(index)"
            try proxy.sendRequest("tools/call", params: #"{"name":"\#(upstream)__echo","arguments":{"text":"\#(upstream) text \#(index)"}}"#, id: id)
        }
        for (id, text) in expected {
            let response = try await proxy.response(to: id)
            XCTAssertEqual(response.toolText, text, "response for id \(id): \(response.line)")
        }
        let alpha = try await proxy.response(to: #""a-slow""#)
        let beta = try await proxy.response(to: #""b-slow""#)
        XCTAssertEqual(alpha.toolText, "slept 0.6s")
        XCTAssertEqual(beta.toolText, "slept 0.2s")
        XCTAssertLessThan(beta.sequence, alpha.sequence, "the shorter call on beta answers first")
        XCTAssertEqual(proxy.messages { $0.isResponse }.count, 1 + 1 + 12, "initialize, tools/list, 12 calls: one response each")
    }
}
