@testable import JSONRPC
import XCTest

/// Envelope ranges are stored packed; what goes in must come out, and absent stays absent.
final class PackedRangeTests: XCTestCase {
    func testRangesRoundTrip() {
        for range in [0..<0, 0..<1, 7..<9, 123_456..<7_000_000, 0..<(Int(UInt32.max) - 1)] {
            XCTAssertEqual(PackedRange(range).range, range)
        }
        XCTAssertNil(PackedRange(nil).range)
    }

    func testRangesThatCannotBeInABufferAreAbsent() {
        XCTAssertNil(PackedRange(-1..<3).range)
        XCTAssertNil(PackedRange(0..<Int(UInt32.max)).range)
    }

    func testEnvelopePropertiesReadBackWhatWasSet() {
        var envelope = Envelope(kind: .request, idRange: 7..<10, progressTokenRange: 40..<45)
        XCTAssertEqual(envelope.idRange, 7..<10)
        XCTAssertEqual(envelope.progressTokenRange, 40..<45)
        XCTAssertNil(envelope.paramsRange)
        envelope.paramsRange = 20..<30
        envelope.idRange = nil
        XCTAssertEqual(envelope.paramsRange, 20..<30)
        XCTAssertNil(envelope.idRange)
        XCTAssertEqual(envelope, Envelope(kind: .request, paramsRange: 20..<30, progressTokenRange: 40..<45))
    }
}
