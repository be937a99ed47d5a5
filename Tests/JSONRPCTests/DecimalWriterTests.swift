@testable import JSONRPC
import XCTest

/// Integers are written as decimal ASCII straight into their destination.
final class DecimalWriterTests: XCTestCase {
    func testAppendKeepsWhatWasThereAndWritesEdgeValues() {
        for value: Int64 in [0, 7, -7, 10, 1_234_567_890, .max, .min] {
            var bytes = Array("x:".utf8)
            DecimalWriter.append(value, to: &bytes)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "x:\(value)")
            XCTAssertEqual(String(decoding: DecimalWriter.bytes(value), as: UTF8.self), "\(value)")
            XCTAssertEqual(DecimalWriter.count(value), "\(value)".utf8.count)
        }
    }
}
