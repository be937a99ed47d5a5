import JSONRPC
import NIOCore
import XCTest

final class JSONViewTests: XCTestCase {
    private let document =
        #" {"name":"srv","n":-12,"big":12345678901234567890,"f":2.5e1,"ok":true,"no":false,"nil":null,"list":[1, "two" ,{"k":[]}],"esc":"a\"\u00e9\uD83D\uDE00","dup":1,"dup":2,"k\u0065y":"escaped key","empty":{},"none":[]} "#

    func testParseAndNavigate() throws {
        let root = try JSONView.parse(TestSupport.buffer(document))
        XCTAssertEqual(root.kind, .object)
        XCTAssertEqual(root["name"]?.string, "srv")
        XCTAssertEqual(root["n"]?.int64, -12)
        XCTAssertEqual(root["n"]?.double, -12)
        XCTAssertNil(root["big"]?.int64, "outside Int64")
        XCTAssertEqual(root["big"]?.double, 12_345_678_901_234_567_168)
        XCTAssertNil(root["f"]?.int64)
        XCTAssertEqual(root["f"]?.double, 25)
        XCTAssertEqual(root["ok"]?.bool, true)
        XCTAssertEqual(root["no"]?.bool, false)
        XCTAssertEqual(root["nil"]?.isNull, true)
        XCTAssertEqual(root["nil"]?.kind, .null)
        XCTAssertEqual(root["name"]?.isNull, false)
        XCTAssertNil(root["missing"])
        XCTAssertNil(root["name"]?["x"], "not an object")
        XCTAssertEqual(root["esc"]?.string, "a\"é😀")
        XCTAssertEqual(root["dup"]?.int64, 1, "first match")
        XCTAssertEqual(root["key"]?.string, "escaped key")
        XCTAssertEqual(root["empty"]?.members.count, 0)
        XCTAssertEqual(root["none"]?.elements.count, 0)
        XCTAssertEqual(root.string, nil)
        XCTAssertEqual(root.int64, nil)
    }

    func testElementsMembersAndRawBytes() throws {
        let root = try JSONView.parse(TestSupport.buffer(document))
        let list = try XCTUnwrap(root["list"])
        XCTAssertEqual(list.kind, .array)
        XCTAssertEqual(list.elements.map(\.kind), [.number, .string, .object])
        XCTAssertEqual(list.elements[1].string, "two")
        XCTAssertEqual(list[2]?["k"]?.kind, .array)
        XCTAssertNil(list[3])
        XCTAssertEqual(TestSupport.string(list.rawBytes), #"[1, "two" ,{"k":[]}]"#)
        XCTAssertEqual(TestSupport.string(root["esc"]?.rawBytes ?? []), #""a\"\u00e9\uD83D\uDE00""#)
        let keys = root.members.map(\.key)
        XCTAssertEqual(
            keys, ["name", "n", "big", "f", "ok", "no", "nil", "list", "esc", "dup", "dup", "key", "empty", "none"])
        XCTAssertEqual(root.members[10].value.int64, 2)
        XCTAssertEqual(root.range, 1..<(document.utf8.count - 1), "whitespace trimmed")
    }

    func testViewIntoAScannedMessage() throws {
        let message = try scanOne(
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"roots":{"listChanged":true}},"clientInfo":{"name":"c","version":"1"}}}"#
        )
        let params = JSONView(message: message, range: try XCTUnwrap(message.envelope.paramsRange))
        XCTAssertEqual(params["protocolVersion"]?.string, "2025-11-25")
        XCTAssertEqual(params["capabilities"]?["roots"]?["listChanged"]?.bool, true)
        XCTAssertEqual(params["clientInfo"]?["name"]?.string, "c")
    }

    func testParseRejectsInvalidJSON() {
        for text in ["", "{", #"{"a":}"#, "[1,]", "01", "\"\\uD800\"", "1 2"] {
            XCTAssertThrowsError(try JSONView.parse(TestSupport.buffer(text)), text) { error in
                XCTAssertEqual((error as? JSONRPCScanError)?.kind, .parseError, text)
            }
        }
        XCTAssertThrowsError(try JSONView.parse(TestSupport.buffer("[[[]]]"), limits: ScanLimits(maxDepth: 2)))
        XCTAssertThrowsError(try JSONView.parse(TestSupport.buffer("[1]"), limits: ScanLimits(maxMessageBytes: 2)))
    }

    func testScalarRoots() throws {
        XCTAssertEqual(try JSONView.parse(TestSupport.buffer(" 42 ")).int64, 42)
        XCTAssertEqual(try JSONView.parse(TestSupport.buffer("\"s\"")).string, "s")
        XCTAssertEqual(try JSONView.parse(TestSupport.buffer("null")).isNull, true)
        XCTAssertEqual(try JSONView.parse(TestSupport.buffer("-0.5")).double, -0.5)
    }

    func testOutOfRangeViewsAreSafe() throws {
        let message = try scanOne(#"{"jsonrpc":"2.0","method":"x"}"#)
        let view = JSONView(message: message, range: 20..<5000)
        XCTAssertEqual(view.range.upperBound, message.bytes.readableBytes)
        _ = view.kind
        _ = view.members
        _ = view.elements
        _ = view.string
        let empty = JSONView(message: message, range: 3..<3)
        XCTAssertEqual(empty.kind, .null)
        XCTAssertFalse(empty.isNull)
        XCTAssertEqual(empty.rawBytes, [])
    }
}
