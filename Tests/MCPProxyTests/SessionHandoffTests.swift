import JSONRPC
import Logging
import MCPTransports
import NIOCore
import XCTest
@testable import MCPProxy

/// A reload moving an open client session onto a new configuration (`MCPProxy.adopt`).
final class SessionHandoffTests: XCTestCase {
    /// A request can reach the replaced session after the move: the transport read the relay's
    /// target just before it was pointed at the successor. The replaced session is closing by
    /// then; the request must go to the successor, not be refused with "The session is closing"
    /// (seen once in ~2,000 calls in the interop test of reloads under load).
    func testARequestThatReachesTheReplacedSessionAfterTheMoveIsServedByTheSuccessor() async throws {
        let oldAlpha = FakeUpstream("alpha")
        oldAlpha.setTools(["echo"])
        oldAlpha.on("tools/call") { _, _ in .result(#"{"content":[{"type":"text","text":"old"}]}"#) }
        let newAlpha = FakeUpstream("alpha")
        newAlpha.setTools(["echo"])
        newAlpha.on("tools/call") { _, _ in .result(#"{"content":[{"type":"text","text":"new"}]}"#) }
        let logger = Logger(label: "handoff-test", factory: { _ in SwiftLogNoOpLogHandler() })
        let newProxy = MCPProxy(upstreams: [newAlpha.definition], options: .testing(), logger: logger)

        try await withProxy([oldAlpha]) { harness in
            try await harness.initialize()
            let open = try XCTUnwrap(harness.proxy.openSessions().first)
            let replaced = open.session
            let adoption = Task { await newProxy.adopt(open) }
            try await eventually("the replaced session to start finishing") { replaced.phase == .closing }

            // Straight into the replaced session, as a transport that read the old target would.
            let call = ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__echo","arguments":{}}"#, id: "9")
            replaced.transportReceived(.message(ByteBuffer(string: call)))
            let answer = try await harness.client.response(to: .int(9))
            XCTAssertNil(answer.error, answer.raw)
            XCTAssertEqual(answer.result?["content"]?.arrayValue.first?["text"]?.stringValue, "new", answer.raw)
            XCTAssertEqual(newAlpha.received("tools/call").count, 1)
            XCTAssertEqual(oldAlpha.received("tools/call").count, 0)

            // Later requests take the usual way, through the relay, to the successor as well.
            let next = try await harness.request("tools/call", params: #"{"name":"alpha__echo","arguments":{}}"#)
            XCTAssertEqual(next.result?["content"]?.arrayValue.first?["text"]?.stringValue, "new", next.raw)
            adoption.cancel()
        }
        await newProxy.shutdown()
    }
}
