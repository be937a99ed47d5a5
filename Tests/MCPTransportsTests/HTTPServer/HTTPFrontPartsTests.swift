@testable import MCPTransports
import NIOCore
import XCTest

/// The small pieces of the front: origin rules, header parsing, event ids, the replay buffer,
/// the write budget and session ids.
final class HTTPFrontPartsTests: XCTestCase {
    func testOriginPolicy() {
        let policy = OriginPolicy(allowedOrigins: ["https://App.example.com"])
        XCTAssertTrue(policy.allows(nil))
        XCTAssertTrue(policy.allows("https://app.example.com"))
        XCTAssertTrue(policy.allows("http://localhost"))
        XCTAssertTrue(policy.allows("http://localhost:6274"))
        XCTAssertTrue(policy.allows("https://127.0.0.1:443"))
        XCTAssertTrue(policy.allows("http://[::1]:3000"))
        XCTAssertFalse(policy.allows("http://localhost.evil.com"))
        XCTAssertFalse(policy.allows("http://localhost:80abc"))
        XCTAssertFalse(policy.allows("http://127.0.0.1.nip.io"))
        XCTAssertFalse(policy.allows("ftp://localhost"))
        XCTAssertFalse(policy.allows("null"))
        XCTAssertFalse(policy.allows("https://app.example.com:8443"))
    }

    func testAcceptParsing() {
        XCTAssertEqual(HTTPHeaderRules.acceptance(nil), .init(json: true, eventStream: true))
        XCTAssertEqual(HTTPHeaderRules.acceptance("application/json, text/event-stream"), .init(json: true, eventStream: true))
        XCTAssertEqual(HTTPHeaderRules.acceptance("application/json"), .init(json: true, eventStream: false))
        XCTAssertEqual(HTTPHeaderRules.acceptance("text/event-stream;q=0.9"), .init(json: false, eventStream: true))
        XCTAssertEqual(HTTPHeaderRules.acceptance("*/*"), .init(json: true, eventStream: true))
        XCTAssertEqual(HTTPHeaderRules.acceptance("text/html, application/json;q=0"), .init(json: false, eventStream: false))
        XCTAssertTrue(HTTPHeaderRules.isJSONContentType("application/json; charset=utf-8"))
        XCTAssertTrue(HTTPHeaderRules.isJSONContentType("Application/JSON"))
        XCTAssertFalse(HTTPHeaderRules.isJSONContentType("text/json"))
        XCTAssertFalse(HTTPHeaderRules.isJSONContentType(nil))
    }

    func testEventIDs() {
        XCTAssertEqual(SSEEventID("3-17"), SSEEventID(stream: 3, sequence: 17))
        XCTAssertEqual(SSEEventID(stream: 0, sequence: 5).text, "0-5")
        XCTAssertNil(SSEEventID("3"))
        XCTAssertNil(SSEEventID("a-b"))
        XCTAssertNil(SSEEventID("1-2-3"))
        XCTAssertNil(SSEEventID("-1-2"))
    }

    func testReplayBufferBoundsCountAndBytes() {
        var buffer = SessionReplayBuffer(maxEvents: 3, maxBytes: 100)
        for sequence in 1...3 {
            XCTAssertEqual(buffer.append(.init(stream: 1, sequence: sequence, bytes: ByteBuffer(string: "0123456789"))).count, 0)
        }
        let evicted = buffer.append(.init(stream: 2, sequence: 1, bytes: ByteBuffer(string: "0123456789")))
        XCTAssertEqual(evicted.map(\.sequence), [1])
        XCTAssertEqual(buffer.events(of: 1, after: 2).map(\.sequence), [3])
        XCTAssertEqual(buffer.events(of: 2, after: 0).count, 1)
        let big = buffer.append(.init(stream: 3, sequence: 1, bytes: ByteBuffer(string: String(repeating: "x", count: 95))))
        XCTAssertEqual(big.count, 3, "the bytes bound pushes out older events")
        XCTAssertEqual(buffer.count, 1)
        var none = SessionReplayBuffer(maxEvents: 0, maxBytes: 100)
        XCTAssertEqual(none.append(.init(stream: 0, sequence: 1, bytes: ByteBuffer(string: "x"))).count, 1)
        XCTAssertEqual(none.count, 0)
    }

    func testWriteBudget() {
        var budget = WriteBudget(limit: 100)
        XCTAssertTrue(budget.reserve(60))
        XCTAssertTrue(budget.reserve(40))
        XCTAssertFalse(budget.reserve(1))
        budget.release(100)
        XCTAssertTrue(budget.reserve(500), "one message larger than the limit passes when nothing is queued")
        XCTAssertFalse(budget.reserve(1))
    }

    func testSessionIDsAreLongRandomHex() {
        let ids = (0..<100).map { _ in SessionIdentifier.make() }
        XCTAssertEqual(Set(ids).count, 100)
        for id in ids {
            XCTAssertEqual(id.utf8.count, 64)
            XCTAssertTrue(id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        }
    }

    func testServerSentEventEncoding() {
        let event = SSEEncoder.encode(id: "1-2", event: nil, data: ByteBuffer(string: "{\"a\":\n1}"))
        XCTAssertEqual(String(buffer: event), "id: 1-2\ndata: {\"a\": 1}\n\n")
        let named = SSEEncoder.encode(event: "endpoint", text: "/messages?sessionId=ab")
        XCTAssertEqual(String(buffer: named), "event: endpoint\ndata: /messages?sessionId=ab\n\n")
    }
}
