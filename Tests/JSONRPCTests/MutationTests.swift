import JSONRPC
import NIOCore
import XCTest

/// Random byte mutations of valid messages: the scanner must never crash, and whatever it accepts
/// must be internally consistent.
final class MutationTests: XCTestCase {
    private let seeds = [
        #"{"jsonrpc":"2.0","id":"a\u0041","method":"tools/call","params":{"name":"t","arguments":{"x":[1,2.5e3,true,null]},"_meta":{"progressToken":7}}}"#,
        #"[{"jsonrpc":"2.0","id":1,"result":{"k":"é😀"}},{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"m"}}]"#,
        #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"\uD83D\uDE00","reason":"x"}}"#,
    ]

    private let interesting: [UInt8] = Array(#"{}[]":,\"0123456789-+.eEtfnu "#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC0, 0xED, 0xF4, 0xFF]

    func testRandomMutationsNeverCrashAndAcceptedFramesAreConsistent() {
        var random = SplitMix(state: 0x5EED)
        let scanner = JSONRPCScanner()
        var accepted = 0
        for _ in 0..<20_000 {
            var bytes = Array(seeds[Int.random(in: 0..<seeds.count, using: &random)].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[position] = interesting[Int.random(in: 0..<interesting.count, using: &random)]
                case 1: bytes.remove(at: position)
                default: bytes.insert(interesting[Int.random(in: 0..<interesting.count, using: &random)], at: position)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            do {
                let frame = try scanner.scan(ByteBuffer(bytes: bytes))
                accepted += 1
                XCTAssertNoThrow(try JSONView.parse(ByteBuffer(bytes: bytes)), "accepted frame must be valid JSON")
                switch frame {
                case .single(let message): check(message)
                case .batch(let results):
                    for case .success(let message) in results { check(message) }
                }
            } catch {
                XCTAssertFalse(error.message.isEmpty)
            }
        }
        XCTAssertGreaterThan(accepted, 100, "some mutations keep the frame valid")
    }

    private func check(_ message: JSONRPCMessage) {
        let envelope = message.envelope
        let count = message.bytes.readableBytes
        for range in [
            envelope.idRange, envelope.paramsRange, envelope.resultRange, envelope.errorRange, envelope.nameRange,
            envelope.progressTokenRange, envelope.cancelledRequestIDRange,
        ] {
            if let range {
                XCTAssertTrue(range.lowerBound >= 0 && range.upperBound <= count)
                XCTAssertNoThrow(try JSONView.parse(message.slice(range)), "each range holds one JSON value")
            }
        }
        if let idRange = envelope.idRange, let id = envelope.id {
            let spliced = message.splicing(idRange, with: id.jsonBytes)
            XCTAssertEqual(try? TestSupport.scanner.scanMessage(spliced).envelope.id, id, "canonical id re-scans")
        }
    }

    func testViewsOverArbitraryRangesAreMemorySafe() throws {
        var random = SplitMix(state: 42)
        let message = try scanOne(seeds[0])
        let count = message.bytes.readableBytes
        for _ in 0..<5_000 {
            let lower = Int.random(in: -2...count + 2, using: &random)
            let upper = Int.random(in: lower...count + 4, using: &random)
            let view = JSONView(message: message, range: lower..<upper)
            _ = view.kind
            _ = view.members.count
            _ = view.elements.count
            _ = view.string
            _ = view.int64
            _ = view.double
            _ = view["name"]
            _ = JSONValue(view)
        }
    }
}
