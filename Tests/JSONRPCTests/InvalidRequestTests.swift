import JSONRPC
import NIOCore
import XCTest

/// Valid JSON that is not a valid JSON-RPC 2.0 / MCP message must fail with `.invalidRequest`.
final class InvalidRequestTests: XCTestCase {
    func testJSONRPCVersionIsRequired() {
        assertScanFails(#"{"id":1,"method":"ping"}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":2.0,"id":1,"method":"ping"}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0 ","id":1,"method":"ping"}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":null,"id":1,"method":"ping"}"#, .invalidRequest)
    }

    func testRequestIDTypes() {
        for id in ["null", "1.5", "1e3", "1.0", "-0.0", "true", "false", "{}", "[]", "[1]", #"{"a":1}"#] {
            let error = assertScanFails(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#, .invalidRequest)
            XCTAssertNil(error?.idBytes, "an invalid id is not echoed: \(id)")
            XCTAssertEqual(error?.code, .invalidRequest)
        }
    }

    func testHugeIntegersAreValidParamsButNotIDs() {
        XCTAssertNoThrow(try scanOne(#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"n":9223372036854775808}}"#))
        assertScanFails(#"{"jsonrpc":"2.0","id":9223372036854775808,"method":"ping"}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","id":-9223372036854775809,"method":"ping"}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"result":{}}"#, .invalidRequest)
    }

    func testMethodAndParamsTypes() {
        assertScanFails(#"{"jsonrpc":"2.0","id":1,"method":5}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","id":1,"method":null}"#, .invalidRequest)
        for params in [#""s""#, "1", "null", "true"] {
            assertScanFails(#"{"jsonrpc":"2.0","id":1,"method":"x","params":\#(params)}"#, .invalidRequest)
        }
        XCTAssertNoThrow(try scanOne(#"{"jsonrpc":"2.0","id":1,"method":"x","params":[]}"#))
        XCTAssertNoThrow(try scanOne(#"{"jsonrpc":"2.0","id":1,"method":"x","params":{}}"#))
    }

    func testMixedOrMissingMembers() {
        assertScanFails(#"{"jsonrpc":"2.0","id":1,"method":"x","result":{}}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","error":{"code":1,"message":"m"}}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","id":1}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0"}"#, .invalidRequest)
        assertScanFails(#"{}"#, .invalidRequest)
    }

    func testResponsesNeedUsableIDs() {
        assertScanFails(#"{"jsonrpc":"2.0","result":{}}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","id":null,"result":{}}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","id":1.5,"result":{}}"#, .invalidRequest)
        assertScanFails(#"{"jsonrpc":"2.0","id":true,"error":{"code":1,"message":"m"}}"#, .invalidRequest)
    }

    func testErrorObjectShape() {
        for error in [
            #""oops""#, "null", "[]", "{}", #"{"code":1}"#, #"{"message":"m"}"#, #"{"code":1.5,"message":"m"}"#,
            #"{"code":"1","message":"m"}"#, #"{"code":1,"message":2}"#, #"{"code":1e2,"message":"m"}"#,
            #"{"code":99999999999999999999,"message":"m"}"#,
        ] {
            assertScanFails(#"{"jsonrpc":"2.0","id":1,"error":\#(error)}"#, .invalidRequest)
        }
    }

    func testTopLevelMustBeAnObject() {
        for text in [#""hello""#, "1", "null", "true"] {
            assertScanFails(text, .invalidRequest)
        }
        do {
            _ = try TestSupport.scanner.scanMessage(TestSupport.buffer(#"[{"jsonrpc":"2.0","method":"x"}]"#))
            XCTFail("a batch must be rejected by scanMessage")
        } catch {
            XCTAssertEqual(error.kind, .invalidRequest)
        }
        do {
            _ = try TestSupport.scanner.scanMessage(TestSupport.buffer(#"[{"jsonrpc":"2.0","method":"x"},]"#))
            XCTFail("invalid JSON must be rejected")
        } catch {
            XCTAssertEqual(error.kind, .parseError, "invalid JSON wins over the batch rejection")
        }
    }

    func testTokenTypesMCPDefines() {
        assertScanFails(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","_meta":{"progressToken":1.5}}}"#,
            .invalidRequest)
        assertScanFails(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":null}}}"#, .invalidRequest)
        assertScanFails(
            #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":{},"progress":1}}"#,
            .invalidRequest)
        assertScanFails(
            #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":true}}"#, .invalidRequest)
        // The same keys on methods that do not use them are just data.
        XCTAssertNoThrow(
            try scanOne(#"{"jsonrpc":"2.0","method":"notifications/message","params":{"progressToken":1.5,"requestId":[]}}"#))
    }

    func testInvalidRequestsEchoTheIDWhenItIsUsable() {
        let error = assertScanFails(#"{"jsonrpc":"2.0","id":"abc","method":7}"#, .invalidRequest)
        XCTAssertEqual(error?.idBytes.map(TestSupport.string), #""abc""#)
        let second = assertScanFails(#"{"method":"ping","id":42}"#, .invalidRequest)
        XCTAssertEqual(second?.idBytes.map(TestSupport.string), "42")
        let escaped = assertScanFails(#"{"jsonrpc":"2.0","id":"a\"b","method":"x","params":1}"#, .invalidRequest)
        XCTAssertEqual(escaped?.idBytes.map(TestSupport.string), #""a\"b""#)
        XCTAssertNotNil(escaped?.offset)
        XCTAssertTrue(escaped?.message.contains("params") ?? false, escaped?.message ?? "")
    }

    func testParseErrorsWinOverEnvelopeProblems() {
        // Missing jsonrpc AND broken JSON later: the frame is a parse error.
        assertScanFails(#"{"id":1,"method":5,"params":[1,}"#, .parseError)
        assertScanFails(#"{"id":1,"id":2,"x":tru}"#, .parseError)
    }
}
