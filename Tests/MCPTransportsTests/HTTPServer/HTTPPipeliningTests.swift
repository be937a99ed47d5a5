import JSONRPC
import MCPTransports
import NIOCore
import XCTest

/// HTTP/1.1 pipelining on the Streamable HTTP front (HTTPConnectionHandler keeps the order
/// itself, without stopping reads): requests sent back to back on one connection are handled one
/// after the other and answered in the order they came.
final class HTTPPipeliningTests: XCTestCase {
    func request(_ body: String, session: String) -> String {
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
            + "Mcp-Session-Id: \(session)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func testPipelinedRequestsWaitForTheAnswerBeforeThem() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let session = try await front.proxy.session()
        // Three requests in one write: the first is held by the echo session until released.
        try await client.write(
            request(toolCall(id: 2, name: "hold"), session: id) + request(toolCall(id: 3, name: "echo"), session: id)
                + request(toolCall(id: 4, name: "second"), session: id))
        let deadline = ContinuousClock.now + .seconds(5)
        while session.held.isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(session.held, [.number(2)])
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertFalse(session.received.contains { $0.contains(#""id":3"#) }, "a pipelined request waits for the answer before it")
        session.transport.send(JSONRPCEncoder.result(idBytes: Array("2".utf8), result: Array(#"{"content":[]}"#.utf8)))
        let answers = [try await client.readResponse(), try await client.readResponse(), try await client.readResponse()]
        XCTAssertEqual(answers.map(\.status), [200, 200, 200])
        XCTAssertTrue(answers[0].text.contains(#""id":2"#), answers[0].text)
        XCTAssertTrue(answers[1].text.contains(#""id":3"#) && answers[1].text.contains("echo"), answers[1].text)
        XCTAssertTrue(answers[2].text.contains(#""id":4"#) && answers[2].text.contains("second"), answers[2].text)
        // The connection goes on serving after the queue drained.
        let after = try await client.request("POST", "/mcp", body: toolCall(id: 5, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertTrue(after.text.contains(#""id":5"#), after.text)
        await front.stop()
    }
}
