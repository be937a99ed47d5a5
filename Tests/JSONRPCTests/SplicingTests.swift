import JSONRPC
import NIOCore
import XCTest

/// Rewriting ids and progress tokens must change only those bytes.
final class SplicingTests: XCTestCase {
    /// A request with unknown members, a rich _meta and a 1 MB argument.
    private func bigRequest() -> String {
        let big = String(repeating: "abcdefghij\\u00e9\\\"xyz☕", count: 1 << 16)
        return #"{"x-vendor":{"trace":[1,2,{"a":null}]},"jsonrpc":"2.0","id":"client-7","method":"tools/call","params":{"name":"search","arguments":{"query":"\#(big)","n":1e3},"_meta":{"io.modelcontextprotocol/related-task":{"taskId":"t1"},"progressToken":17,"custom":"keep me"}},"zz":true}"#
    }

    func testSplicingIDAndTokenChangesOnlyThoseBytes() throws {
        let text = bigRequest()
        XCTAssertGreaterThan(text.utf8.count, 1_000_000)
        let message = try scanOne(text)
        let envelope = message.envelope
        let idRange = try XCTUnwrap(envelope.idRange)
        let tokenRange = try XCTUnwrap(envelope.progressTokenRange)
        XCTAssertLessThan(idRange.upperBound, tokenRange.lowerBound)

        let newID = JSONRPCID.string("u3-1042").jsonBytes
        let newToken = JSONRPCID.number(900_000_000_001).jsonBytes
        let spliced = message.splicing([
            ByteSplice(range: tokenRange, replacement: newToken),
            ByteSplice(range: idRange, replacement: newID),
        ])
        assertSingleAllocation(spliced)

        let before = Array(message.bytes.readableBytesView)
        let after = Array(spliced.readableBytesView)
        XCTAssertEqual(after.count, before.count - idRange.count + newID.count - tokenRange.count + newToken.count)
        // Prefix before the id.
        XCTAssertEqual(after[0..<idRange.lowerBound], before[0..<idRange.lowerBound])
        // The id.
        let idEnd = idRange.lowerBound + newID.count
        XCTAssertEqual(Array(after[idRange.lowerBound..<idEnd]), newID)
        // Everything between id and token, including the 1 MB argument.
        let middle = before[idRange.upperBound..<tokenRange.lowerBound]
        let tokenStart = idEnd + middle.count
        XCTAssertEqual(after[idEnd..<tokenStart], middle)
        // The token and the suffix.
        XCTAssertEqual(Array(after[tokenStart..<tokenStart + newToken.count]), newToken)
        XCTAssertEqual(after[(tokenStart + newToken.count)...], before[tokenRange.upperBound...])

        // Scanning the result finds the new values and the same everything else.
        let rescanned = try TestSupport.scanner.scanMessage(spliced)
        XCTAssertEqual(rescanned.envelope.id, .string("u3-1042"))
        XCTAssertEqual(rescanned.envelope.progressToken, .number(900_000_000_001))
        XCTAssertEqual(rescanned.envelope.name, "search")
        XCTAssertEqual(rescanned.envelope.method, .toolsCall)
        XCTAssertEqual(
            rescanned.rawBytes(try XCTUnwrap(rescanned.envelope.paramsRange)).count,
            message.rawBytes(try XCTUnwrap(envelope.paramsRange)).count - tokenRange.count + newToken.count)

        // Splicing back restores the original bytes exactly.
        let restored = rescanned.splicing([
            ByteSplice(range: try XCTUnwrap(rescanned.envelope.idRange), replacement: message.rawBytes(idRange)),
            ByteSplice(range: try XCTUnwrap(rescanned.envelope.progressTokenRange), replacement: message.rawBytes(tokenRange)),
        ])
        XCTAssertEqual(Array(restored.readableBytesView), before)
    }

    func testEditOrderDoesNotMatter() throws {
        let message = try scanOne(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":"p"},"name":"n"}}"#)
        let edits = [
            ByteSplice(range: try XCTUnwrap(message.envelope.idRange), replacement: Array("99".utf8)),
            ByteSplice(range: try XCTUnwrap(message.envelope.progressTokenRange), replacement: Array(#""q""#.utf8)),
            ByteSplice(range: try XCTUnwrap(message.envelope.nameRange), replacement: Array(#""up__n""#.utf8)),
        ]
        let forward = message.splicing(edits)
        let backward = message.splicing(edits.reversed())
        XCTAssertEqual(forward, backward)
        XCTAssertEqual(
            TestSupport.string(forward),
            #"{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"_meta":{"progressToken":"q"},"name":"up__n"}}"#)
    }

    func testSingleRangeSplicingAndReplacingID() throws {
        let message = try scanOne(#"{"jsonrpc":"2.0","result":{},"id":"abc"}"#)
        let idRange = try XCTUnwrap(message.envelope.idRange)
        XCTAssertEqual(
            TestSupport.string(message.splicing(idRange, with: Array("5".utf8))), #"{"jsonrpc":"2.0","result":{},"id":5}"#)
        XCTAssertEqual(
            TestSupport.string(message.replacingID(with: Array("6".utf8))), #"{"jsonrpc":"2.0","result":{},"id":6}"#)
        XCTAssertEqual(message.splicing([]), message.bytes)
        // Insertion at the end and deletion.
        let end = message.bytes.readableBytes
        XCTAssertEqual(TestSupport.string(message.splicing(end..<end, with: Array("\n".utf8))), message.text + "\n")
        XCTAssertEqual(TestSupport.string(message.splicing(0..<1, with: [])), String(message.text.dropFirst()))
    }

    func testOverlappingAndOutOfRangeEdits() throws {
        let message = try scanOne(#"{"jsonrpc":"2.0","method":"x"}"#)
        let overlapping = [
            ByteSplice(range: 2..<6, replacement: Array("A".utf8)),
            ByteSplice(range: 4..<8, replacement: Array("B".utf8)),
        ]
        XCTAssertThrowsError(try message.validatedSplicing(overlapping)) { error in
            XCTAssertTrue((error as? ByteSpliceError)?.message.contains("overlaps") ?? false)
        }
        XCTAssertThrowsError(try message.validatedSplicing([ByteSplice(range: 0..<1000, replacement: [])]))
        XCTAssertEqual(
            try message.validatedSplicing([ByteSplice(range: 0..<1, replacement: Array("[".utf8))]).readableBytes,
            message.bytes.readableBytes)
        // The lenient form keeps the first of overlapping edits and clamps ranges.
        XCTAssertEqual(TestSupport.string(message.splicing(overlapping)), #"{"Arpc":"2.0","method":"x"}"#)
        XCTAssertEqual(TestSupport.string(message.splicing(25..<1000, with: Array("}".utf8))), #"{"jsonrpc":"2.0","method"}"#)
    }

    func testSliceAndRawBytes() throws {
        let message = try scanOne(#"  {"jsonrpc":"2.0","id":7,"method":"ping","params":{"a":[1]}}"#)
        let params = try XCTUnwrap(message.envelope.paramsRange)
        XCTAssertEqual(String(buffer: message.slice(params)), #"{"a":[1]}"#)
        XCTAssertEqual(TestSupport.string(message.rawBytes(params)), #"{"a":[1]}"#)
        XCTAssertEqual(message.slice(0..<10_000).readableBytes, 0)
        XCTAssertEqual(message.rawBytes(-1..<2), [])
    }
}
