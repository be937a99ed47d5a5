import JSONRPC
import XCTest

/// Tests 6 and 7: progress tokens mapped back to the client's, and cancellation forwarded upstream.
final class ProgressAndCancellationTests: ProxyTestCase {
    func testProgressArrivesWithTheClientsOwnTokenBeforeTheResult() async throws {
        let proxy = try await startInitialized()
        _ = try await proxy.call("tools/list")
        // Two calls at once on both upstreams: a string token and an integer token.
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__progress","arguments":{"steps":4,"delay_ms":20},"_meta":{"progressToken":"my-token"}}"#, id: #""p-alpha""#)
        try proxy.sendRequest("tools/call", params: #"{"name":"beta__progress","arguments":{"steps":3,"delay_ms":20},"_meta":{"progressToken":0}}"#, id: #""p-beta""#)

        let alphaResult = try await proxy.response(to: #""p-alpha""#)
        let betaResult = try await proxy.response(to: #""p-beta""#)
        XCTAssertEqual(alphaResult.toolText, "done")
        XCTAssertEqual(betaResult.toolText, "done")

        let progress = proxy.messages { $0.method == "notifications/progress" }
        let alpha = progress.filter { $0.params?["progressToken"] == .string("my-token") }
        let beta = progress.filter { $0.params?["progressToken"] == .int(0) }
        XCTAssertEqual(alpha.count + beta.count, progress.count, "every progress carries one of the client's tokens: \(progress)")
        XCTAssertEqual(alpha.compactMap { $0.params?["progress"]?.intValue }, [1, 2, 3, 4])
        XCTAssertEqual(alpha.compactMap { $0.params?["total"]?.intValue }, [4, 4, 4, 4])
        XCTAssertEqual(alpha.first?.params?["message"]?.stringValue, "step 1 of 4")
        XCTAssertEqual(beta.compactMap { $0.params?["progress"]?.intValue }, [1, 2, 3])
        XCTAssertTrue(alpha.allSatisfy { $0.line.contains(#""progressToken":"my-token""#) }, "token bytes as the client wrote them")
        XCTAssertTrue(alpha.allSatisfy { $0.sequence < alphaResult.sequence }, "progress precedes the result")
        XCTAssertTrue(beta.allSatisfy { $0.sequence < betaResult.sequence }, "progress precedes the result")
    }

    func testCancelledRequestIsCancelledUpstreamAndNeverAnswered() async throws {
        let directory = try makeDirectory()
        let config = ConfigFile(servers: [.recorded("alpha", directory: directory.path), .example("beta")])
        let proxy = try await startInitialized(config, in: directory)
        _ = try await proxy.call("tools/list")

        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__slow","arguments":{"seconds":30}}"#, id: #""slow-1""#)
        let forwarded = try await waitForLine(in: directory.path + "/alpha-in.log", containing: #""name":"slow""#)
        let upstreamID = try XCTUnwrap(json(forwarded)["id"]?.intValue, forwarded)

        let cancel = #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"slow-1","reason":"user gave up"}}"#
        try proxy.send(cancel)
        let upstreamCancel = try await waitForLine(in: directory.path + "/alpha-in.log", containing: "notifications/cancelled")
        XCTAssertEqual(upstreamCancel, cancel.replacingOccurrences(of: #""requestId":"slow-1""#, with: #""requestId":\#(upstreamID)"#),
                       "the upstream is told with its own id, everything else unchanged")

        do {
            let late = try await proxy.response(to: #""slow-1""#, timeout: .seconds(2))
            XCTFail("a cancelled request must not be answered; got \(late.line)")
        } catch is IntegrationFailure {
            // expected: nothing within 2 s
        }
        let echo = try await proxy.callTool("alpha__echo", arguments: #"{"text":"still here"}"#)
        XCTAssertEqual(echo.toolText, "still here", echo.line)
        XCTAssertEqual(proxy.messages { $0.idText == #""slow-1""# }.count, 0)
    }

    func testCancellingTheFirstCallOfASessionIsHonoured() async throws {
        // No tools/list first: the proxy has to fetch its catalog before it can route the call,
        // and the client's cancellation may arrive meanwhile.
        let proxy = try await startInitialized()
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__slow","arguments":{"seconds":1.5}}"#, id: #""early""#)
        try proxy.sendNotification("notifications/cancelled", params: #"{"requestId":"early","reason":"changed my mind"}"#)
        do {
            let late = try await proxy.response(to: #""early""#, timeout: .seconds(2))
            XCTFail("the client cancelled \"early\" right after sending it, yet the proxy answered it: \(late.line)")
        } catch is IntegrationFailure {
            // expected: nothing within 2 s
        }
        let echo = try await proxy.callTool("alpha__echo", arguments: #"{"text":"after"}"#)
        XCTAssertEqual(echo.toolText, "after", echo.line)
    }

    func testARequestThatOutlivesTheTimeoutGetsATimeoutError() async throws {
        let proxy = try await startInitialized(.alphaBeta(proxy: ["limits: { requestTimeoutSeconds: 1 }"]))
        _ = try await proxy.call("tools/list")
        let start = ContinuousClock.now
        let response = try await proxy.callTool("alpha__slow", arguments: #"{"seconds":20}"#, id: #""too-slow""#, timeout: .seconds(5))
        XCTAssertEqual(response.errorCode, -32001, response.line)
        XCTAssertTrue(response.errorMessage?.contains("'alpha'") == true, response.line)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3), "requestTimeoutSeconds: 1 (checked every 0.5 s)")
        let echo = try await proxy.callTool("alpha__echo", arguments: #"{"text":"fine"}"#)
        XCTAssertEqual(echo.toolText, "fine", echo.line)
        XCTAssertEqual(proxy.messages { $0.idText == #""too-slow""# }.count, 1, "no late second answer")
    }
}
