import JSONRPC
import XCTest

/// Test 5: bad input gets the right JSON-RPC error (or none), and the proxy keeps serving.
final class MalformedInputTests: ProxyTestCase {
    /// Sends `line`, then a ping; returns what the proxy wrote in between, without the ping's answer.
    private func replies(to line: String, on proxy: ProxyProcess) async throws -> [ReceivedMessage] {
        let mark = proxy.mark
        try proxy.send(line)
        let seen = try await proxy.pingAndCollect(since: mark)
        return Array(seen.dropLast())
    }

    /// Sends `line` and asserts exactly one reply: an error with `code` and id token `id`; then
    /// checks that a ping is still answered.
    private func assertError(
        _ line: String, code: Int64, id: String, on proxy: ProxyProcess,
        file: StaticString = #filePath, line sourceLine: UInt = #line
    ) async throws -> ReceivedMessage? {
        let mark = proxy.mark
        try proxy.send(line)
        let what = String(line.prefix(120))
        let reply = try await proxy.waitFor("the error for \(what)") { $0.sequence >= mark && $0.isResponse && $0.idText == id }
        XCTAssertEqual(reply.errorCode, code, "error code for \(what): \(reply.line)", file: file, line: sourceLine)
        try await assertStillServing(proxy, after: what, file: file, line: sourceLine)
        let replies = proxy.messages { $0.sequence >= mark && $0.idText == id }
        XCTAssertEqual(replies.count, 1, "exactly one reply to \(what); got \(replies)", file: file, line: sourceLine)
        return reply
    }

    func testMalformedInputIsAnsweredPreciselyAndTheProxyKeepsServing() async throws {
        let proxy = try startProxy(.alphaBeta(proxy: ["limits: { maxLineBytes: 4096 }"]))

        // Before initialize: only ping is served.
        _ = try await assertError(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#, code: -32600, id: "1", on: proxy)
        _ = try await assertError(#"{"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"alpha__echo","arguments":{"text":"x"}}}"#,
                                  code: -32600, id: #""c""#, on: proxy)
        try await proxy.initialize()

        _ = try await assertError("garbage", code: -32700, id: "null", on: proxy)
        _ = try await assertError(#"{"jsonrpc":"2.0","id":3,"method":"ping""#, code: -32700, id: "null", on: proxy)
        _ = try await assertError(#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, code: -32600, id: "null", on: proxy)
        _ = try await assertError(#"{"jsonrpc":"1.0","id":8,"method":"ping"}"#, code: -32600, id: "8", on: proxy)
        _ = try await assertError(#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, code: -32600, id: "null", on: proxy)
        _ = try await assertError(#"{"jsonrpc":"2.0","id":"m-1","method":"no/such/method"}"#, code: -32601, id: #""m-1""#, on: proxy)
        _ = try await assertError(#"{"jsonrpc":"2.0","id":"t-1","method":"tools/call","params":{"name":"alpha__no_such_tool","arguments":{}}}"#,
                                  code: -32602, id: #""t-1""#, on: proxy)
        _ = try await assertError(#"{"jsonrpc":"2.0","id":"t-2","method":"tools/call","params":{"arguments":{}}}"#,
                                  code: -32602, id: #""t-2""#, on: proxy)

        // A response to nothing: no reply at all.
        let orphan = try await replies(to: #"{"jsonrpc":"2.0","id":999,"result":{}}"#, on: proxy)
        XCTAssertEqual(orphan.map(\.line), [], "a response to no request must not be answered")
        let stray = try await replies(to: #"{"jsonrpc":"2.0","method":"notifications/no_such_thing","params":{}}"#, on: proxy)
        XCTAssertEqual(stray.map(\.line), [], "an unknown notification must not be answered")

        // A line of exactly maxLineBytes is read; one byte more is refused with an error naming the limit.
        let fitting = Self.paddedPing(id: #""fits""#, length: 4096)
        XCTAssertEqual(fitting.utf8.count, 4096)
        let fits = try await replies(to: fitting, on: proxy)
        XCTAssertEqual(fits.map(\.idText), [#""fits""#], "a 4096-byte line is within limits.maxLineBytes: 4096")
        XCTAssertEqual(fits.first?.result, .object([:]))

        let tooLong = Self.paddedPing(id: #""long""#, length: 4097)
        // The id is read from the line's first bytes, so the client learns which request failed.
        let refused = try await assertError(tooLong, code: -32600, id: #""long""#, on: proxy)
        XCTAssertTrue(refused?.errorMessage?.contains("4096") == true,
                      "the error for an over-long line should name the configured limit (limits.maxLineBytes: 4096); got: \(refused?.errorMessage ?? "nothing")")

        let huge = Self.paddedPing(id: #""huge""#, length: 200_000)
        _ = try await assertError(huge, code: -32600, id: #""huge""#, on: proxy)

        // Still fully working, upstreams included.
        let echo = try await proxy.callTool("beta__echo", arguments: #"{"text":"after all that"}"#)
        XCTAssertEqual(echo.toolText, "after all that", echo.line)
    }

    /// A ping request padded to exactly `length` bytes.
    static func paddedPing(id: String, length: Int) -> String {
        let head = #"{"jsonrpc":"2.0","id":\#(id),"method":"ping","params":{"_meta":{"pad":""#
        let tail = #""}}}"#
        return head + String(repeating: "x", count: max(0, length - head.utf8.count - tail.utf8.count)) + tail
    }
}
