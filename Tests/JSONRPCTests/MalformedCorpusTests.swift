import JSONRPC
import NIOCore
import XCTest

/// Bytes that are not RFC 8259 JSON must fail with `.parseError` (or the limit kinds).
final class MalformedCorpusTests: XCTestCase {
    private let valid =
        #"{"jsonrpc":"2.0","id":"r\u00e9q-1","method":"tools/call","params":{"name":"caf\u00e9 ☕","arguments":{"n":-12.5e+3,"ok":true,"no":false,"nil":null,"list":[1,{"k":"😀"}],"esc":"\"\\\/\b\f\n\r\t\uD83D\uDE00"},"_meta":{"progressToken":7}}}"#

    func testTheCorpusBaseIsValid() throws {
        let message = try scanOne(valid)
        XCTAssertEqual(message.envelope.id, .string("réq-1"))
        XCTAssertEqual(message.envelope.name, "café ☕")
        XCTAssertEqual(message.envelope.progressToken, .number(7))
    }

    func testEveryTruncationIsAParseError() {
        let bytes = Array(valid.utf8)
        for length in 0..<bytes.count {
            assertScanFails(Array(bytes[0..<length]), .parseError)
        }
    }

    func testEveryTruncationOfABatchIsAParseError() {
        let bytes = Array(#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"x"}]"#.utf8)
        for length in 0..<bytes.count {
            assertScanFails(Array(bytes[0..<length]), .parseError)
        }
    }

    private func inString(_ content: [UInt8]) -> [UInt8] {
        Array(#"{"jsonrpc":"2.0","method":"x","params":{"s":""#.utf8) + content + Array(#""}}"#.utf8)
    }

    private func inString(_ content: String) -> [UInt8] {
        inString(Array(content.utf8))
    }

    func testBadEscapes() {
        for escape in [#"\x41"#, #"\'"#, #"\U0041"#, #"\u12"#, #"\u12G4"#, #"\uZZZZ"#, #"\a"#, #"\0"#, #"\ "#, "\\"] {
            let error = assertScanFails(inString(escape), .parseError)
            XCTAssertNotNil(error?.offset, escape)
        }
    }

    func testLoneSurrogatesInBothOrders() {
        for text in [
            #"\uD800"#, #"\uD83Dx"#, #"\uDBFF\u0041"#, #"\uD800\uD800"#, #"\uDC00"#, #"\uDFFF\uD800"#,
            #"\uDE00\uD83D"#, #"\uD83D\"#, #"\uD83D\n"#,
        ] {
            assertScanFails(inString(text), .parseError)
        }
        XCTAssertNoThrow(try TestSupport.scanner.scan(TestSupport.buffer(inString(#"\uD83D\uDE00\uDBFF\uDFFF"#))))
    }

    func testRawControlCharactersInStrings() {
        for byte: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] {
            let error = assertScanFails(inString([UInt8(ascii: "a"), byte]), .parseError)
            XCTAssertEqual(error?.offset, inString("a").count - 3, "offset of byte \(byte)")
        }
        // DEL is not a control character in RFC 8259.
        XCTAssertNoThrow(try TestSupport.scanner.scan(TestSupport.buffer(inString([0x7F]))))
    }

    func testInvalidUTF8() {
        let invalid: [[UInt8]] = [
            [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
            [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0xAF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xC3], [0xE2, 0x82],
            [0xF0, 0x9F, 0x98], [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xF0, 0x9F, 0x28, 0x80],
        ]
        for sequence in invalid {
            assertScanFails(inString(sequence), .parseError)
        }
        let valid: [[UInt8]] = [
            [0xC2, 0x80], [0xC3, 0xA9], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xE2, 0x82, 0xAC], [0xED, 0x9F, 0xBF],
            [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80],
            [0xF4, 0x8F, 0xBF, 0xBF],
        ]
        for sequence in valid {
            XCTAssertNoThrow(try TestSupport.scanner.scan(TestSupport.buffer(inString(sequence))), "\(sequence)")
        }
    }

    func testInvalidUTF8AfterALongASCIIRun() {
        // Exercises the eight-bytes-at-a-time path followed by the byte path.
        let run = Array(repeating: UInt8(ascii: "a"), count: 37)
        assertScanFails(inString(run + [0xED, 0xA0, 0x80] + run), .parseError)
        assertScanFails(inString(run + [0x05] + run), .parseError)
        XCTAssertNoThrow(try TestSupport.scanner.scan(TestSupport.buffer(inString(run + [0xE2, 0x82, 0xAC] + run))))
    }

    func testNonJSONWhitespaceAndStrayBytes() {
        let body = #"{"jsonrpc":"2.0","method":"x"}"#
        assertScanFails([0x0C] + Array(body.utf8), .parseError)  // form feed
        assertScanFails([0x0B] + Array(body.utf8), .parseError)  // vertical tab
        assertScanFails([0xC2, 0xA0] + Array(body.utf8), .parseError)  // NBSP
        assertScanFails([0xEF, 0xBB, 0xBF] + Array(body.utf8), .parseError)  // BOM
        assertScanFails(#"{"jsonrpc":"2.0",/*c*/"method":"x"}"#, .parseError)
        assertScanFails(#"{'jsonrpc':"2.0","method":"x"}"#, .parseError)
        assertScanFails(#"{jsonrpc:"2.0","method":"x"}"#, .parseError)
        assertScanFails(#"{"jsonrpc" "2.0","method":"x"}"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x",}"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":[1,]}"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":[,1]}"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":{"a":1 "b":2}}"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":[1 2]}"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":{"a"}}"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":{1:2}}"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x"]"#, .parseError)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":[1}}"#, .parseError)
        assertScanFails("", .parseError)
        assertScanFails(" \r\n\t", .parseError)
    }

    func testLiteralsMustBeExact() {
        for literal in ["tru", "True", "TRUE", "nul", "NULL", "fals", "falsey", "nulll", "truefalse", "undefined", "NaN"] {
            assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":[\#(literal)]}"#, .parseError)
        }
        XCTAssertNoThrow(try scanOne(#"{"jsonrpc":"2.0","method":"x","params":[true,false,null]}"#))
    }

    func testTrailingGarbage() {
        let body = #"{"jsonrpc":"2.0","method":"x"}"#
        for suffix in ["x", "{}", " ,", "\u{0}", "]", "}", " 1", "\n{\"a\":1}"] {
            let error = assertScanFails(body + suffix, .parseError)
            XCTAssertNotNil(error?.offset)
        }
        XCTAssertNoThrow(try scanOne(body + " \t\r\n"))
    }

    func testValidNumbersAtTheEdges() throws {
        for number in [
            "-0", "0", "1e308", "1E+2", "1e-2", "0.5", "-0.0", "-1.5e-10", "1E400", "2.2250738585072014e-308",
            "123456789012345678901234567890", "-123456789012345678901234567890.5", "0e0", "1.0E-0",
        ] {
            XCTAssertNoThrow(
                try scanOne(#"{"jsonrpc":"2.0","method":"x","params":[\#(number)]}"#), "\(number) should be valid")
            XCTAssertNoThrow(
                try scanOne(#"{"jsonrpc":"2.0","method":"x","params":{"n":\#(number)}}"#), "\(number) should be valid")
        }
    }

    func testInvalidNumbers() {
        for number in [
            "01", "-01", "00", "+1", ".5", "1.", "1e", "1e+", "1E-", "--1", "-", "0x10", "1.e5", "1_000", "Infinity",
            "-Infinity", "1.5.2", "1e5e5", "- 1", "١",
        ] {
            assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":[\#(number)]}"#, .parseError)
            assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":{"n":\#(number)}}"#, .parseError)
        }
    }

    func testNestingLimit() {
        func message(depth arrays: Int) -> String {
            #"{"jsonrpc":"2.0","method":"x","params":"# + String(repeating: "[", count: arrays)
                + String(repeating: "]", count: arrays) + "}"
        }
        // The message object is depth 1, so 63 arrays reach exactly 64.
        XCTAssertNoThrow(try scanOne(message(depth: 63)))
        let error = assertScanFails(message(depth: 64), .nestingTooDeep)
        XCTAssertEqual(error?.code, .parseError)
        assertScanFails(message(depth: 10_000), .nestingTooDeep)

        let strict = JSONRPCScanner(limits: ScanLimits(maxDepth: 3))
        XCTAssertNoThrow(
            try strict.scanMessage(TestSupport.buffer(#"{"jsonrpc":"2.0","method":"x","params":{"a":{}}}"#)))
        XCTAssertNoThrow(
            try strict.scanMessage(TestSupport.buffer(#"{"jsonrpc":"2.0","method":"x","params":{"a":{"b":1}}}"#)))
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":{"a":{"b":{}}}}"#, .nestingTooDeep, scanner: strict)
        assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":{"a":[[]]}}"#, .nestingTooDeep, scanner: strict)
    }

    func testSizeLimitIsCheckedBeforeScanning() {
        let small = JSONRPCScanner(limits: ScanLimits(maxMessageBytes: 40))
        let fits = #"{"jsonrpc":"2.0","method":"x"}"#
        XCTAssertNoThrow(try small.scanMessage(TestSupport.buffer(fits)))
        let error = assertScanFails(fits + String(repeating: " ", count: 11), .messageTooLarge, scanner: small)
        XCTAssertEqual(error?.code, .parseError)
        // Garbage that is too large is reported as too large, not as a parse error.
        assertScanFails(String(repeating: "\u{1}", count: 41), .messageTooLarge, scanner: small)
        XCTAssertEqual(ScanLimits.default.maxMessageBytes, 16 << 20)
        XCTAssertEqual(ScanLimits.default.maxDepth, 64)
    }

    func testErrorsCarryOffsetsAndCodes() {
        let error = assertScanFails(#"{"jsonrpc":"2.0","method":"x","params":[01]}"#, .parseError)
        XCTAssertEqual(error?.offset, 40)
        XCTAssertEqual(error?.code, .parseError)
        XCTAssertEqual(error?.code.rawValue, -32700)
        XCTAssertTrue(error?.message.contains("byte 40") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.description.contains("parseError") ?? false)
    }
}
