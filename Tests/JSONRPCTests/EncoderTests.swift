import JSONRPC
import NIOCore
import XCTest

/// NIO rounds capacities up to a power of two; a buffer sized exactly up front has the capacity
/// the allocator gives for its final size, and never more.
func assertSingleAllocation(_ buffer: ByteBuffer, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(
        buffer.capacity, ByteBufferAllocator().buffer(capacity: buffer.readableBytes).capacity, file: file, line: line)
}

final class EncoderTests: XCTestCase {
    func testRequestEncodesCompactlyAndScansBack() throws {
        let buffer = JSONRPCEncoder.request(
            idBytes: JSONRPCID.number(12).jsonBytes, method: "tools/call", params: Array(#"{"name":"x"}"#.utf8))
        XCTAssertEqual(String(buffer: buffer), #"{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"x"}}"#)
        assertSingleAllocation(buffer)
        let message = try TestSupport.scanner.scanMessage(buffer)
        XCTAssertEqual(message.envelope.kind, .request)
        XCTAssertEqual(message.envelope.id, .number(12))
        XCTAssertEqual(message.envelope.method, .toolsCall)
        XCTAssertEqual(message.envelope.name, "x")

        let bare = JSONRPCEncoder.request(idBytes: Array(#""s""#.utf8), method: "ping", params: nil)
        XCTAssertEqual(String(buffer: bare), #"{"jsonrpc":"2.0","id":"s","method":"ping"}"#)
        XCTAssertEqual(try TestSupport.scanner.scanMessage(bare).envelope.id, .string("s"))
    }

    func testMethodNamesAreEscaped() throws {
        let name = "we\"ird\\\n\u{1}é"
        let buffer = JSONRPCEncoder.notification(method: name, params: Array("[1]".utf8))
        assertSingleAllocation(buffer)
        XCTAssertEqual(String(buffer: buffer), #"{"jsonrpc":"2.0","method":"we\"ird\\\u000a\u0001é","params":[1]}"#)
        let message = try TestSupport.scanner.scanMessage(buffer)
        XCTAssertEqual(message.envelope.kind, .notification)
        XCTAssertEqual(message.envelope.method, .other(name))
    }

    func testNotificationAndResult() throws {
        let note = JSONRPCEncoder.notification(method: "notifications/initialized", params: nil)
        XCTAssertEqual(String(buffer: note), #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        XCTAssertEqual(try TestSupport.scanner.scanMessage(note).envelope.method, .initialized)

        let result = JSONRPCEncoder.result(idBytes: JSONRPCID.string("a\"b").jsonBytes, result: Array("{}".utf8))
        XCTAssertEqual(String(buffer: result), #"{"jsonrpc":"2.0","id":"a\"b","result":{}}"#)
        assertSingleAllocation(result)
        let message = try TestSupport.scanner.scanMessage(result)
        XCTAssertEqual(message.envelope.kind, .successResponse)
        XCTAssertEqual(message.envelope.id, .string("a\"b"))
    }

    func testErrorResponses() throws {
        let withID = JSONRPCEncoder.errorResponse(
            idBytes: Array("3".utf8), code: .methodNotFound, message: "Method not found: x", data: Array(#"{"m":1}"#.utf8))
        XCTAssertEqual(
            String(buffer: withID),
            #"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found: x","data":{"m":1}}}"#)
        assertSingleAllocation(withID)
        let scanned = try TestSupport.scanner.scanMessage(withID)
        XCTAssertEqual(scanned.envelope.kind, .errorResponse)
        XCTAssertEqual(scanned.envelope.errorCode, -32601)

        let nullID = JSONRPCEncoder.errorResponse(idBytes: nil, code: .parseError, message: "bad")
        XCTAssertEqual(String(buffer: nullID), #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}}"#)
        assertSingleAllocation(nullID)
        let parsed = try TestSupport.scanner.scanMessage(nullID)
        XCTAssertNil(parsed.envelope.id)
        XCTAssertEqual(parsed.envelope.errorCode, -32700)

        let positive = JSONRPCEncoder.errorResponse(idBytes: nil, code: JSONRPCErrorCode(rawValue: 0), message: "")
        XCTAssertEqual(try TestSupport.scanner.scanMessage(positive).envelope.errorCode, 0)
    }

    func testErrorResponseForScanErrors() throws {
        guard let invalid = assertScanFails(#"{"jsonrpc":"2.0","id":"k","method":1}"#, .invalidRequest) else { return }
        let answer = try TestSupport.scanner.scanMessage(JSONRPCEncoder.errorResponse(for: invalid))
        XCTAssertEqual(answer.envelope.id, .string("k"))
        XCTAssertEqual(answer.envelope.errorCode, -32600)

        guard let parse = assertScanFails(#"{"jsonrpc":"2.0","id":"k","method":"x""#, .parseError) else { return }
        let parseAnswer = try TestSupport.scanner.scanMessage(JSONRPCEncoder.errorResponse(for: parse))
        XCTAssertNil(parseAnswer.envelope.id, "parse errors answer with id null")
        XCTAssertEqual(parseAnswer.envelope.errorCode, -32700)
    }

    func testErrorCodes() {
        XCTAssertEqual(JSONRPCErrorCode.parseError.rawValue, -32700)
        XCTAssertEqual(JSONRPCErrorCode.invalidRequest.rawValue, -32600)
        XCTAssertEqual(JSONRPCErrorCode.methodNotFound.rawValue, -32601)
        XCTAssertEqual(JSONRPCErrorCode.invalidParams.rawValue, -32602)
        XCTAssertEqual(JSONRPCErrorCode.internalError.rawValue, -32603)
        XCTAssertEqual(JSONRPCErrorCode.connectionClosed.rawValue, -32000)
        XCTAssertEqual(JSONRPCErrorCode.requestTimeout.rawValue, -32001)
        XCTAssertEqual(JSONRPCErrorCode.resourceNotFound.rawValue, -32002)
    }

    func testJSONStringEscaping() {
        XCTAssertEqual(TestSupport.string(JSONString.encode("plain")), #""plain""#)
        XCTAssertEqual(TestSupport.string(JSONString.encode("q\"b\\s/")), #""q\"b\\s/""#)
        XCTAssertEqual(TestSupport.string(JSONString.encode("\u{0}\u{1f}\t\n")), #""\u0000\u001f\u0009\u000a""#)
        XCTAssertEqual(TestSupport.string(JSONString.encode("é😀\u{7f}")), "\"é😀\u{7f}\"")
        var bytes = Array("x".utf8)
        JSONString.append("y", to: &bytes)
        XCTAssertEqual(TestSupport.string(bytes), #"x"y""#)
        XCTAssertEqual(JSONString.encodedCount("a\n"), JSONString.encode("a\n").count)
    }

    func testIDEncodingAndDescription() {
        XCTAssertEqual(TestSupport.string(JSONRPCID.number(-42).jsonBytes), "-42")
        XCTAssertEqual(TestSupport.string(JSONRPCID.number(.min).jsonBytes), "-9223372036854775808")
        XCTAssertEqual(TestSupport.string(JSONRPCID.number(0).jsonBytes), "0")
        XCTAssertEqual(TestSupport.string(JSONRPCID.string("a\"\u{1}").jsonBytes), #""a\"\u0001""#)
        XCTAssertEqual(JSONRPCID.number(1).description, "1")
        XCTAssertEqual(JSONRPCID.string("1").description, #""1""#)
        XCTAssertNotEqual(JSONRPCID.number(1), JSONRPCID.string("1"))
    }

    func testEncodedStringsSurviveTheScanner() throws {
        let samples = ["", "a", "\u{0}", "line\nbreak", "tab\tquote\"slash\\", "😀 ☕ é", String(repeating: "x\u{1}", count: 100)]
        for sample in samples {
            let buffer = JSONRPCEncoder.request(idBytes: JSONRPCID.string(sample).jsonBytes, method: sample, params: nil)
            let message = try TestSupport.scanner.scanMessage(buffer)
            XCTAssertEqual(message.envelope.id, .string(sample))
            XCTAssertEqual(message.envelope.method?.name, sample)
        }
    }
}
