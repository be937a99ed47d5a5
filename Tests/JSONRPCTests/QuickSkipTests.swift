@testable import JSONRPC
import XCTest

/// The iterative container validator must accept exactly what the recursive one accepts, and end
/// at the same byte, or decline so that the recursive one decides.
final class QuickSkipTests: XCTestCase {
    /// (quick accepted, end) and (strict accepted, end) for `bytes`.
    private func compare(_ bytes: [UInt8], maxDepth: Int = 64) -> (quick: Int?, strict: Int?) {
        bytes.withUnsafeBufferPointer { buffer -> (Int?, Int?) in
            guard let base = buffer.baseAddress else { return (nil, nil) }
            var quick = JSONCursor(base: base, count: buffer.count, maxDepth: maxDepth)
            let quickEnd = quick.skipContainerQuickly(parentDepth: 0) ? quick.pos : nil
            var strict = JSONCursor(base: base, count: buffer.count, maxDepth: maxDepth)
            let strictEnd = (try? strict.skipValueStrictly(parentDepth: 0)) != nil ? strict.pos : nil
            return (quickEnd, strictEnd)
        }
    }

    private let seeds = [
        #"{"a":[1,-2.5e-3,true,false,null,{"b":{}},[]],"c":"x\u00e9\"\\\/\n","d":"é😀","e":{"f":[[[0]]]}}"#,
        #"[ { "k" : "v" } , [ 1 , 2 ] , "s" , 0.5 , -0 , 1E+2 ]"#,
        #"{"text":"line one\nline two \uD83D\uDE00","n":123456789012345678901234567890}"#,
        "[]", "{}", "[[]]", #"{"":""}"#,
    ]

    private let interesting: [UInt8] = Array(#"{}[]":,\"0123456789-+.eEtfnu "#.utf8) + [0x00, 0x09, 0x1F, 0x7F, 0x80, 0xC0, 0xED, 0xF4, 0xFF]

    func testSeedsAreAcceptedByBothAtTheSameEnd() {
        for seed in seeds {
            let (quick, strict) = compare(Array(seed.utf8))
            XCTAssertNotNil(strict, seed)
            XCTAssertEqual(quick, strict, seed)
        }
    }

    func testMutationsNeverMakeTheQuickPathDisagree() {
        var random = SplitMix(state: 0xC0FFEE)
        var declined = 0
        for _ in 0..<20_000 {
            var bytes = Array(seeds.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = interesting.randomElement(using: &random)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(interesting.randomElement(using: &random)!, at: index)
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "[")] }
            }
            guard bytes.first == UInt8(ascii: "{") || bytes.first == UInt8(ascii: "[") else { continue }
            let (quick, strict) = compare(bytes)
            if let quick {
                XCTAssertEqual(quick, strict, "the quick path accepted what the strict one did not: \(String(decoding: bytes, as: UTF8.self))")
            } else if strict != nil {
                declined += 1
            }
        }
        XCTAssertEqual(declined, 0, "the quick path declined valid input without a depth reason")
    }

    func testDepthLimitIsLeftToTheStrictPath() {
        let deep = Array((String(repeating: "[", count: 70) + String(repeating: "]", count: 70)).utf8)
        XCTAssertEqual(compare(deep, maxDepth: 100).quick, nil, "over 64 levels the quick path declines")
        XCTAssertEqual(compare(deep, maxDepth: 100).strict, deep.count)
        let shallow = Array("[[[]]]".utf8)
        XCTAssertNil(compare(shallow, maxDepth: 2).quick)
        XCTAssertNil(compare(shallow, maxDepth: 2).strict)
        XCTAssertEqual(compare(shallow, maxDepth: 3).quick, 6)
    }
}
