import JSONRPC
import NIOCore
import XCTest

/// Shared helpers for the JSONRPC tests.
enum TestSupport {
    static let scanner = JSONRPCScanner()

    static func buffer(_ text: String) -> ByteBuffer {
        ByteBuffer(string: text)
    }

    static func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    static func string(_ buffer: ByteBuffer) -> String {
        String(buffer: buffer)
    }

    static func string(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// Scans `text` as one message, failing the test on error.
func scanOne(
    _ text: String, scanner: JSONRPCScanner = TestSupport.scanner, file: StaticString = #filePath, line: UInt = #line
) throws -> JSONRPCMessage {
    do {
        return try scanner.scanMessage(TestSupport.buffer(text))
    } catch {
        XCTFail("expected a valid message, got \(error) for \(text.prefix(200))", file: file, line: line)
        throw error
    }
}

/// Asserts that scanning `bytes` with `scan` (frame mode) throws an error of `kind`; returns it.
@discardableResult
func assertScanFails(
    _ bytes: [UInt8], _ kind: JSONRPCScanError.Kind, scanner: JSONRPCScanner = TestSupport.scanner,
    file: StaticString = #filePath, line: UInt = #line
) -> JSONRPCScanError? {
    do {
        let frame = try scanner.scan(TestSupport.buffer(bytes))
        XCTFail(
            "expected \(kind), but the frame was accepted: \(frame) for \(TestSupport.string(bytes).prefix(200))",
            file: file, line: line)
        return nil
    } catch {
        XCTAssertEqual(
            error.kind, kind, "wrong kind for \(TestSupport.string(bytes).prefix(200)): \(error.message)", file: file,
            line: line)
        XCTAssertFalse(error.message.isEmpty, file: file, line: line)
        return error
    }
}

/// String form of `assertScanFails`.
@discardableResult
func assertScanFails(
    _ text: String, _ kind: JSONRPCScanError.Kind, scanner: JSONRPCScanner = TestSupport.scanner,
    file: StaticString = #filePath, line: UInt = #line
) -> JSONRPCScanError? {
    assertScanFails(Array(text.utf8), kind, scanner: scanner, file: file, line: line)
}

extension JSONRPCMessage {
    /// The text of an envelope range.
    func text(_ range: Range<Int>?) -> String? {
        range.map { TestSupport.string(rawBytes($0)) }
    }

    /// The whole message as text.
    var text: String { TestSupport.string(bytes) }
}

/// A small deterministic generator (SplitMix64) so that randomized tests reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
