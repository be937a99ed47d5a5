import JSONRPC
import NIOCore
import XCTest

@testable import fast_upstream
@testable import mcp_bench

final class ServerSentEventsTests: XCTestCase {
    func testSplitsEventsAndJoinsMultiLineData() {
        let body = ByteBuffer(string: "event: message\nid: 1\ndata: {\"a\":1}\n\n: comment\ndata: line one\ndata:line two\r\n\r\ndata: last")
        let payloads = ServerSentEvents.dataPayloads(in: body).map { String(buffer: $0) }
        XCTAssertEqual(payloads, ["{\"a\":1}", "line one\nline two", "last"])
    }

    func testEventsWithoutDataAreSkipped() {
        let body = ByteBuffer(string: "event: ping\n\nid: 7\n\n")
        XCTAssertTrue(ServerSentEvents.dataPayloads(in: body).isEmpty)
    }
}

final class EndpointURLTests: XCTestCase {
    func testParsesHostPortAndPath() throws {
        let url = try EndpointURL("http://127.0.0.1:8080/mcp")
        XCTAssertEqual(url.host, "127.0.0.1")
        XCTAssertEqual(url.port, 8080)
        XCTAssertEqual(url.path, "/mcp")
        XCTAssertEqual(url.hostHeader, "127.0.0.1:8080")
    }

    func testDefaultsAndIPv6() throws {
        let plain = try EndpointURL("http://localhost")
        XCTAssertEqual(plain.port, 80)
        XCTAssertEqual(plain.path, "/")
        let v6 = try EndpointURL("http://[::1]:9000/servers/a/mcp")
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(v6.port, 9000)
        XCTAssertEqual(v6.hostHeader, "[::1]:9000")
    }

    func testRejectsWhatItCannotReach() {
        XCTAssertThrowsError(try EndpointURL("https://example.com/mcp"))
        XCTAssertThrowsError(try EndpointURL("http://host:notaport/mcp"))
        XCTAssertThrowsError(try EndpointURL("http://:80/"))
    }
}

final class ToolCallRequestTests: XCTestCase {
    func testRequestIsValidAndNearTheWantedSize() throws {
        let builder = ToolCallRequest(tool: "fast__echo", size: 300)
        let bytes = builder.make(id: 12_345, allocator: ByteBufferAllocator())
        XCTAssertEqual(bytes.readableBytes, 300)
        let message = try JSONRPCScanner().scanMessage(bytes)
        XCTAssertEqual(message.envelope.method, .toolsCall)
        XCTAssertEqual(message.envelope.id, .number(12_345))
        XCTAssertEqual(message.envelope.progressToken, .number(12_345))
        XCTAssertEqual(message.envelope.name, "fast__echo")
    }

    func testTinySizeStillMakesAValidRequest() throws {
        let bytes = ToolCallRequest(tool: "echo", size: 1).make(id: 1, allocator: ByteBufferAllocator())
        XCTAssertNoThrow(try JSONRPCScanner().scanMessage(bytes))
    }
}

final class EchoResponderTests: XCTestCase {
    private func reply(_ text: String) -> (EchoReply, String) {
        var output = ByteBuffer()
        let kind = EchoResponder().reply(to: ByteBuffer(string: text), into: &output)
        return (kind, String(buffer: output))
    }

    func testInitializeKeepsAKnownVersionAndAnswersOthersWithTheLatest() {
        let (kind, known) = reply(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        XCTAssertEqual(kind, .initializeResponse)
        XCTAssertTrue(known.contains(#""protocolVersion":"2025-03-26""#))
        let (_, unknown) = reply(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01"}}"#)
        XCTAssertTrue(unknown.contains(#""protocolVersion":"\#(EchoResponder.defaultVersion)""#))
    }

    func testEchoReturnsTheArgumentsAsText() throws {
        let (kind, text) = reply(#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#)
        XCTAssertEqual(kind, .response)
        let message = try JSONRPCScanner().scanMessage(ByteBuffer(string: text))
        XCTAssertEqual(message.envelope.id, .string("x"))
        let result = try XCTUnwrap(message.envelope.resultRange.map { JSONView(message: message, range: $0) })
        XCTAssertEqual(result["content"]?[0]?["text"]?.string, #"{"text":"hi"}"#)
    }

    func testNotificationsGetNothingAndUnknownMethodsAnError() {
        XCTAssertEqual(reply(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).0, .none)
        let (kind, text) = reply(#"{"jsonrpc":"2.0","id":3,"method":"resources/list"}"#)
        XCTAssertEqual(kind, .response)
        XCTAssertTrue(text.contains("-32601"))
        XCTAssertTrue(reply(#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"other"}}"#).1.contains("-32602"))
    }
}

final class RunReportTests: XCTestCase {
    func testFixedFormatsWithoutFoundation() {
        XCTAssertEqual(fixed(1.006, 2), "1.01")
        XCTAssertEqual(fixed(0.999, 2), "1.00")
        XCTAssertEqual(fixed(12.3, 0), "12")
        XCTAssertEqual(fixed(0.04, 1), "0.0")
        XCTAssertEqual(fixed(-2.5, 1), "-2.5")
        XCTAssertEqual(fixed(7, 3), "7.000")
    }

    func testQuotedEscapesForJSON() {
        XCTAssertEqual(quoted("a\"b\\c\n\u{1}"), #""a\"b\\c\n\u0001""#)
    }
}
