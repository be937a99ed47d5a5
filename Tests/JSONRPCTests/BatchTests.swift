import JSONRPC
import NIOCore
import XCTest

/// Batches (2025-03-26): each element stands on its own.
final class BatchTests: XCTestCase {
    func testEmptyBatch() {
        let error = assertScanFails("[]", .emptyBatch)
        XCTAssertEqual(error?.code, .invalidRequest)
        assertScanFails(" [ \n ] ", .emptyBatch)
        assertScanFails("[] x", .parseError)
    }

    func testMixedValidAndInvalidElements() throws {
        let first = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","_meta":{"progressToken":"t"}}}"#
        let fourth = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#
        let text = "[ " + first + #" , 1, {"jsonrpc":"2.0","id":"bad","method":true}, "# + fourth
            + #", [], {"jsonrpc":"2.0","id":2,"method":"x","id":3} ]"#
        guard case .batch(let results) = try TestSupport.scanner.scan(TestSupport.buffer(text)) else {
            return XCTFail("expected a batch")
        }
        XCTAssertEqual(results.count, 6)

        let message = try results[0].get()
        XCTAssertEqual(message.text, first)
        XCTAssertEqual(message.envelope.kind, .request)
        XCTAssertEqual(message.text(message.envelope.idRange), "1", "ranges are relative to the element")
        XCTAssertEqual(message.envelope.name, "a")
        XCTAssertEqual(message.text(message.envelope.progressTokenRange), #""t""#)

        guard case .failure(let notObject) = results[1] else { return XCTFail("element 1 must fail") }
        XCTAssertEqual(notObject.kind, .invalidRequest)
        XCTAssertTrue(notObject.message.contains("batch element 1"), notObject.message)

        guard case .failure(let badMethod) = results[2] else { return XCTFail("element 2 must fail") }
        XCTAssertEqual(badMethod.kind, .invalidRequest)
        XCTAssertEqual(badMethod.idBytes.map(TestSupport.string), #""bad""#)

        let note = try results[3].get()
        XCTAssertEqual(note.text, fourth)
        XCTAssertEqual(note.envelope.method, .initialized)

        guard case .failure(let nested) = results[4] else { return XCTFail("element 4 must fail") }
        XCTAssertEqual(nested.kind, .invalidRequest)
        guard case .failure(let duplicate) = results[5] else { return XCTFail("element 5 must fail") }
        XCTAssertEqual(duplicate.kind, .invalidRequest)
    }

    func testBatchElementSplicingUsesElementOffsets() throws {
        let text = #"[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":"b","error":{"code":-1,"message":"no"}}]"#
        guard case .batch(let results) = try TestSupport.scanner.scan(TestSupport.buffer(text)) else {
            return XCTFail("expected a batch")
        }
        let second = try results[1].get()
        XCTAssertEqual(second.envelope.kind, .errorResponse)
        XCTAssertEqual(second.envelope.errorCode, -1)
        let spliced = second.splicing(try XCTUnwrap(second.envelope.idRange), with: Array("77".utf8))
        XCTAssertEqual(String(buffer: spliced), #"{"jsonrpc":"2.0","id":77,"error":{"code":-1,"message":"no"}}"#)
        XCTAssertEqual(try results[0].get().envelope.kind, .successResponse)
    }

    func testInvalidJSONInsideABatchFailsTheWholeFrame() {
        assertScanFails(#"[{"jsonrpc":"2.0","method":"x"},{"jsonrpc":"2.0","method":"y"]"#, .parseError)
        assertScanFails(#"[{"jsonrpc":"2.0","method":"x"},]"#, .parseError)
        assertScanFails(#"[{"jsonrpc":"2.0","method":"x"} {"jsonrpc":"2.0","method":"y"}]"#, .parseError)
        assertScanFails(#"[{"jsonrpc":"2.0","method":"x"}]]"#, .parseError)
    }

    func testSingleObjectThroughScanIsSingle() throws {
        guard case .single(let message) = try TestSupport.scanner.scan(TestSupport.buffer(#" {"jsonrpc":"2.0","method":"x"} "#))
        else { return XCTFail("expected a single message") }
        XCTAssertEqual(message.envelope.method, .other("x"))
    }

    func testBatchDepthCountsTheArray() {
        let strict = JSONRPCScanner(limits: ScanLimits(maxDepth: 2))
        XCTAssertNoThrow(try strict.scan(TestSupport.buffer(#"[{"jsonrpc":"2.0","method":"x"}]"#)))
        assertScanFails(#"[{"jsonrpc":"2.0","method":"x","params":[]}]"#, .nestingTooDeep, scanner: strict)
    }
}
