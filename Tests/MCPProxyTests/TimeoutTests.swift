import JSONRPC
import MCPProxy
import XCTest

/// Requests an upstream never answers.
final class TimeoutTests: XCTestCase {
    func testUnansweredRequestTimesOutWithMinus32001AndIsCancelledUpstream() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["hang"])
        alpha.on("tools/call") { _, _ in .none }
        let options = ProxyOptions.testing { $0.requestTimeout = .milliseconds(300) }
        try await withProxy([alpha], options: options) { harness in
            try await harness.initialize()
            _ = try await harness.request("tools/list")
            let started = ContinuousClock.now
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__hang","arguments":{}}"#, id: #""t-1""#))
            let call = try await alpha.firstRequest("tools/call")
            let response = try await harness.client.response(to: .string("t-1"), timeout: .seconds(3))
            let elapsed = ContinuousClock.now - started
            XCTAssertEqual(response.errorCode, -32001, response.raw)
            XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(300), "answered before the timeout")
            let cancelled = try await alpha.waitFor("notifications/cancelled") { $0.method == "notifications/cancelled" }
            XCTAssertEqual(cancelled.params?["requestId"], call.id, cancelled.raw)

            // A response after the timeout is dropped; the client had its one answer.
            alpha.answer(call, result: #"{"content":[]}"#)
            alpha.send(IDRemappingTests.barrier)
            try await harness.client.waitFor("the barrier log message") { $0.method == "notifications/message" }
            XCTAssertEqual(harness.client.responses(to: .string("t-1")).count, 1, "\(harness.client.received)")
        }
    }
}
