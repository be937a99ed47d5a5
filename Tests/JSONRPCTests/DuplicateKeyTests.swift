import JSONRPC
import XCTest

/// Duplicated envelope keys are a smuggling hole (a proxy reads one copy, the upstream the other).
final class DuplicateKeyTests: XCTestCase {
    func testDuplicateTopLevelEnvelopeKeys() {
        let cases = [
            #"{"jsonrpc":"2.0","jsonrpc":"2.0","id":1,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"x","params":{},"params":{}}"#,
            #"{"jsonrpc":"2.0","id":1,"result":{},"result":{}}"#,
            #"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m"},"error":{"code":2,"message":"n"}}"#,
        ]
        for text in cases {
            let error = assertScanFails(text, .invalidRequest)
            XCTAssertTrue(error?.message.contains("duplicate") ?? false, error?.message ?? "")
        }
    }

    func testDuplicateIDIsNotEchoed() {
        let error = assertScanFails(#"{"jsonrpc":"2.0","id":1,"method":"ping","id":2}"#, .invalidRequest)
        XCTAssertEqual(error?.idBytes.map(TestSupport.string), "1")
    }

    func testEscapedDuplicatesAreStillDuplicates() {
        assertScanFails(#"{"jsonrpc":"2.0","id":1,"\u0069d":2,"method":"ping"}"#, .invalidRequest)
        assertScanFails(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"safe","n\u0061me":"evil"}}"#,
            .invalidRequest)
    }

    func testDuplicateExtractedParamsKeys() {
        let cases = [
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","name":"b"}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","name":1}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"a","uri":"b"}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{},"_meta":{"progressToken":1}}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":1,"progressToken":2}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"requestId":2}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"name":"a"},"ref":{"name":"b"}}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"name":"a","name":"b"}}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"uri":"a","uri":"b"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progressToken":2}}"#,
            #"{"jsonrpc":"2.0","id":1,"error":{"code":1,"code":2,"message":"m"}}"#,
        ]
        for text in cases {
            assertScanFails(text, .invalidRequest)
        }
    }

    func testDeeperDuplicatesAreAllowed() throws {
        let message = try scanOne(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"a":1,"a":2},"_meta":{"x":1,"x":2}}}"#
        )
        XCTAssertEqual(message.envelope.name, "t")
        XCTAssertNoThrow(try scanOne(#"{"jsonrpc":"2.0","id":1,"result":{"k":1,"k":2}}"#))
        XCTAssertNoThrow(try scanOne(#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":{"d":1,"d":2}}}"#))
        XCTAssertNoThrow(try scanOne(#"{"jsonrpc":"2.0","id":1,"method":"x","extra":1,"extra":2}"#))
    }
}
