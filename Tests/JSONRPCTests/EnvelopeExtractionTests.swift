import JSONRPC
import NIOCore
import XCTest

final class EnvelopeExtractionTests: XCTestCase {
    func testToolsCallRequestExtractsEveryField() throws {
        let text = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"x":[1,2]},"_meta":{"progressToken":"abc123","other":true}}}"#
        let message = try scanOne(text)
        let envelope = message.envelope
        XCTAssertEqual(envelope.kind, .request)
        XCTAssertEqual(envelope.id, .number(1))
        XCTAssertEqual(message.text(envelope.idRange), "1")
        XCTAssertEqual(envelope.method, .toolsCall)
        XCTAssertEqual(
            message.text(envelope.paramsRange),
            #"{"name":"echo","arguments":{"x":[1,2]},"_meta":{"progressToken":"abc123","other":true}}"#)
        XCTAssertEqual(envelope.name, "echo")
        XCTAssertEqual(message.text(envelope.nameRange), #""echo""#)
        XCTAssertEqual(envelope.progressToken, .string("abc123"))
        XCTAssertEqual(message.text(envelope.progressTokenRange), #""abc123""#)
        XCTAssertNil(envelope.uri)
        XCTAssertNil(envelope.resultRange)
        XCTAssertNil(envelope.errorRange)
        XCTAssertNil(envelope.errorCode)
        XCTAssertNil(envelope.cancelledRequestID)
        XCTAssertEqual(message.text, text)
    }

    func testEscapedStringIDIsDecodedButRangeKeepsTheToken() throws {
        let message = try scanOne(#"{"jsonrpc":"2.0","id":"a\u0041\n","method":"ping"}"#)
        XCTAssertEqual(message.envelope.id, .string("aA\n"))
        XCTAssertEqual(message.text(message.envelope.idRange), #""a\u0041\n""#)
        XCTAssertEqual(message.idBytes.map(TestSupport.string), #""a\u0041\n""#)
        XCTAssertEqual(message.envelope.method, .ping)
    }

    func testIntegerIDEdges() throws {
        XCTAssertEqual(try scanOne(#"{"jsonrpc":"2.0","id":-0,"method":"ping"}"#).envelope.id, .number(0))
        XCTAssertEqual(
            try scanOne(#"{"jsonrpc":"2.0","id":9223372036854775807,"method":"ping"}"#).envelope.id,
            .number(.max))
        XCTAssertEqual(
            try scanOne(#"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"ping"}"#).envelope.id,
            .number(.min))
    }

    func testNotificationProgressTakesTokenFromParams() throws {
        let text = #"{"params":{"progressToken":42,"progress":0.5,"total":1},"method":"notifications/progress","jsonrpc":"2.0"}"#
        let message = try scanOne(text)
        XCTAssertEqual(message.envelope.kind, .notification)
        XCTAssertNil(message.envelope.id)
        XCTAssertNil(message.envelope.idRange)
        XCTAssertEqual(message.envelope.method, .progress)
        XCTAssertEqual(message.envelope.progressToken, .number(42))
        XCTAssertEqual(message.text(message.envelope.progressTokenRange), "42")
    }

    func testProgressTokenLocationDependsOnKind() throws {
        // A request's token lives in _meta; params.progressToken is not it.
        let request = try scanOne(#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"progressToken":9}}"#)
        XCTAssertNil(request.envelope.progressToken)
        // A progress notification's token is params.progressToken, not _meta.
        let note = try scanOne(
            #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"_meta":{"progressToken":1},"progress":1}}"#)
        XCTAssertNil(note.envelope.progressToken)
        // Other notifications carry no token.
        let other = try scanOne(#"{"jsonrpc":"2.0","method":"notifications/message","params":{"progressToken":1}}"#)
        XCTAssertNil(other.envelope.progressToken)
    }

    func testCancelledNotificationExtractsRequestID() throws {
        let message = try scanOne(
            #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"r-1","reason":"user"}}"#)
        XCTAssertEqual(message.envelope.method, .cancelled)
        XCTAssertEqual(message.envelope.cancelledRequestID, .string("r-1"))
        XCTAssertEqual(message.text(message.envelope.cancelledRequestIDRange), #""r-1""#)
        let numeric = try scanOne(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}"#)
        XCTAssertEqual(numeric.envelope.cancelledRequestID, .number(7))
        // requestId on other methods is not a cancellation.
        let other = try scanOne(#"{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"requestId":7}}"#)
        XCTAssertNil(other.envelope.cancelledRequestID)
    }

    func testSuccessResponse() throws {
        let message = try scanOne(#"{"jsonrpc":"2.0","result":{"tools":[]},"id":"x"}"#)
        XCTAssertEqual(message.envelope.kind, .successResponse)
        XCTAssertEqual(message.envelope.id, .string("x"))
        XCTAssertEqual(message.text(message.envelope.resultRange), #"{"tools":[]}"#)
        XCTAssertNil(message.envelope.method)
        // JSON-RPC allows any result value.
        XCTAssertEqual(try scanOne(#"{"jsonrpc":"2.0","id":1,"result":null}"#).envelope.kind, .successResponse)
    }

    func testErrorResponses() throws {
        let message = try scanOne(
            #"{"jsonrpc":"2.0","id":5,"error":{"code":-32601,"message":"Method not found","data":{"m":"x"}}}"#)
        XCTAssertEqual(message.envelope.kind, .errorResponse)
        XCTAssertEqual(message.envelope.id, .number(5))
        XCTAssertEqual(message.envelope.errorCode, -32601)
        XCTAssertEqual(
            message.text(message.envelope.errorRange), #"{"code":-32601,"message":"Method not found","data":{"m":"x"}}"#)

        let nullID = try scanOne(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#)
        XCTAssertEqual(nullID.envelope.kind, .errorResponse)
        XCTAssertNil(nullID.envelope.id)
        XCTAssertNil(nullID.envelope.idRange)
        XCTAssertEqual(nullID.envelope.errorCode, -32700)

        let noID = try scanOne(#"{"jsonrpc":"2.0","error":{"message":"m","code":1}}"#)
        XCTAssertEqual(noID.envelope.kind, .errorResponse)
        XCTAssertNil(noID.envelope.id)
        XCTAssertEqual(noID.envelope.errorCode, 1)
    }

    func testResourceURIAndCompletionRef() throws {
        let read = try scanOne(#"{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"file:///a%20b.txt"}}"#)
        XCTAssertEqual(read.envelope.method, .resourcesRead)
        XCTAssertEqual(read.envelope.uri, "file:///a%20b.txt")
        XCTAssertEqual(read.text(read.envelope.uriRange), #""file:///a%20b.txt""#)

        let prompt = try scanOne(
            #"{"jsonrpc":"2.0","id":3,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"code_review"},"argument":{"name":"language","value":"py"}}}"#
        )
        XCTAssertEqual(prompt.envelope.method, .completionComplete)
        XCTAssertEqual(prompt.envelope.refName, "code_review")
        XCTAssertEqual(prompt.text(prompt.envelope.refNameRange), #""code_review""#)
        XCTAssertNil(prompt.envelope.refURI)
        XCTAssertNil(prompt.envelope.name, "argument.name is not params.name")

        let resource = try scanOne(
            #"{"jsonrpc":"2.0","id":4,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"file:///{path}"},"argument":{"name":"path","value":"a"}}}"#
        )
        XCTAssertEqual(resource.envelope.refURI, "file:///{path}")
        XCTAssertEqual(resource.text(resource.envelope.refURIRange), #""file:///{path}""#)
    }

    func testWhitespaceIsTrimmedAndRangesAreRelativeToTheMessage() throws {
        let body = #"{ "jsonrpc" : "2.0" , "id" : 12 , "method" : "prompts/get" , "params" : { "name" : "p\u00e9" } }"#
        let message = try scanOne(" \t\r\n" + body + "\r\n  ")
        XCTAssertEqual(message.text, body)
        XCTAssertEqual(message.bytes.readableBytes, body.utf8.count)
        XCTAssertEqual(message.text(message.envelope.idRange), "12")
        XCTAssertEqual(message.envelope.name, "pé")
        XCTAssertEqual(message.text(message.envelope.nameRange), #""p\u00e9""#)
    }

    func testBufferWithNonZeroReaderIndex() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        buffer.writeString("JUNK")
        buffer.writeString(#"{"jsonrpc":"2.0","id":"q","method":"tools/list"}"#)
        buffer.moveReaderIndex(forwardBy: 4)
        let message = try TestSupport.scanner.scanMessage(buffer)
        XCTAssertEqual(message.envelope.id, .string("q"))
        XCTAssertEqual(message.text(message.envelope.idRange), #""q""#)
        XCTAssertEqual(message.text, #"{"jsonrpc":"2.0","id":"q","method":"tools/list"}"#)
    }

    func testEscapedKeysAreMatchedByTheirDecodedName() throws {
        let message = try scanOne(
            #"{"jsonr\u0070c":"2\u002e0","\u0069d":8,"m\u0065thod":"tools\/call","params":{"n\u0061me":"t"}}"#)
        XCTAssertEqual(message.envelope.kind, .request)
        XCTAssertEqual(message.envelope.id, .number(8))
        XCTAssertEqual(message.envelope.method, .toolsCall)
        XCTAssertEqual(message.envelope.name, "t")
    }

    func testUnknownMethodAndUnknownMembers() throws {
        let message = try scanOne(
            #"{"jsonrpc":"2.0","id":1,"method":"vendor/thing","params":[1,2],"extra":{"deep":[null,true,false]}}"#)
        XCTAssertEqual(message.envelope.method, .other("vendor/thing"))
        XCTAssertEqual(message.text(message.envelope.paramsRange), "[1,2]")
        XCTAssertNil(message.envelope.name)
    }

    func testNonStringNameAndURIAreNotExtracted() throws {
        let message = try scanOne(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5,"uri":null}}"#)
        XCTAssertNil(message.envelope.name)
        XCTAssertNil(message.envelope.nameRange)
        XCTAssertNil(message.envelope.uri)
    }

    func testResponsesDoNotReportParamsFields() throws {
        let message = try scanOne(#"{"jsonrpc":"2.0","id":1,"result":{},"params":{"name":"n","uri":"u"}}"#)
        XCTAssertEqual(message.envelope.kind, .successResponse)
        XCTAssertNil(message.envelope.name)
        XCTAssertNil(message.envelope.uri)
    }

    func testLongStringsAndNonASCII() throws {
        let long = String(repeating: "ü€😀x", count: 300)
        let message = try scanOne(#"{"jsonrpc":"2.0","id":"\#(long)","method":"tools/call","params":{"name":"\#(long)"}}"#)
        XCTAssertEqual(message.envelope.id, .string(long))
        XCTAssertEqual(message.envelope.name, long)
    }

    func testEveryKnownMethodIsRecognisedFromBytes() throws {
        for method in MCPMethodTests.allKnown {
            let note = method.isNotification
            let text =
                note
                ? #"{"jsonrpc":"2.0","method":"\#(method.name)"}"#
                : #"{"jsonrpc":"2.0","id":1,"method":"\#(method.name)"}"#
            let message = try scanOne(text)
            XCTAssertEqual(message.envelope.method, method, method.name)
            XCTAssertEqual(message.envelope.kind, note ? .notification : .request)
        }
    }

    func testEnvelopeInitDefaultsToAbsentFields() {
        let envelope = Envelope(kind: .notification, method: .initialized)
        XCTAssertEqual(envelope.method, .initialized)
        XCTAssertNil(envelope.id)
        XCTAssertNil(envelope.paramsRange)
        XCTAssertNotEqual(envelope, Envelope(kind: .request, method: .initialized))
    }
}
