import MCPTransports
import NIOCore
import XCTest

final class ServerSentEventParserTests: XCTestCase {
    private struct Parsed: Equatable {
        var type: String
        var data: String
        var id: String
    }

    /// Feeds `chunks` in order, then ends the stream.
    private func parse(_ chunks: [String], limit: Int = 1 << 20) -> (events: [Parsed], oversized: [Int], parser: ServerSentEventParser) {
        var parser = ServerSentEventParser(maxEventBytes: limit)
        var events: [Parsed] = []
        var oversized: [Int] = []
        for chunk in chunks {
            parser.feed(ByteBuffer(string: chunk)) { output in
                switch output {
                case .event(let event): events.append(Parsed(type: event.type, data: String(buffer: event.data), id: event.lastEventID))
                case .oversized(_, let count, _): oversized.append(count)
                }
            }
        }
        parser.finish()
        return (events, oversized, parser)
    }

    /// Every split of `stream` into single bytes must parse like the whole.
    private func assertChunkingInvariant(_ stream: String, file: StaticString = #filePath, line: UInt = #line) {
        let whole = parse([stream])
        let bytes = parse(stream.utf8.map { String(decoding: [$0], as: UTF8.self) })
        XCTAssertEqual(whole.events, bytes.events, file: file, line: line)
        XCTAssertEqual(whole.parser.lastEventID, bytes.parser.lastEventID, file: file, line: line)
        for cut in 1..<max(stream.utf8.count, 2) {
            let utf8 = Array(stream.utf8)
            guard cut < utf8.count else { break }
            let halves = parse([String(decoding: utf8[..<cut], as: UTF8.self), String(decoding: utf8[cut...], as: UTF8.self)])
            XCTAssertEqual(whole.events, halves.events, "split at \(cut)", file: file, line: line)
        }
    }

    func testLineEndingsLFCRLFAndCRAreEquivalent() {
        let expected = [Parsed(type: "message", data: "a", id: "1"), Parsed(type: "ping", data: "b", id: "1")]
        for newline in ["\n", "\r\n", "\r"] {
            let stream = ["id: 1", "data: a", "", "event: ping", "data: b", "", ""].joined(separator: newline)
            XCTAssertEqual(parse([stream]).events, expected, "newline \(Array(newline.utf8))")
            assertChunkingInvariant(stream)
        }
        // Mixed within one stream, and CR LF split across chunks.
        XCTAssertEqual(parse(["data: a\r", "\ndata: b\n\r", "\n"]).events, [Parsed(type: "message", data: "a\nb", id: "")])
    }

    func testMultiLineDataIsJoinedWithLineFeeds() {
        let stream = "data: {\"a\":\ndata: 1}\ndata\ndata:\n\n"
        XCTAssertEqual(parse([stream]).events, [Parsed(type: "message", data: "{\"a\":\n1}\n\n", id: "")])
        assertChunkingInvariant(stream)
    }

    func testCommentsUnknownFieldsAndOneLeadingSpace() {
        let stream = ": comment\n:another\nfoo: bar\ndata:  two spaces\nevent\n\n: keep-alive\n\n"
        let parsed = parse([stream])
        XCTAssertEqual(parsed.events, [Parsed(type: "message", data: " two spaces", id: "")])
        assertChunkingInvariant(stream)
    }

    func testAnEventWithoutDataIsNotDispatchedButItsIDCounts() {
        let stream = "retry: 50\nid: prime\ndata\n\nid: only-id\n\n"
        let parsed = parse([stream])
        // "data" without colon is an empty data line: that event is dispatched with empty data.
        XCTAssertEqual(parsed.events, [Parsed(type: "message", data: "", id: "prime")])
        XCTAssertEqual(parsed.parser.lastEventID, "only-id")
        XCTAssertEqual(parsed.parser.reconnectionTime, 50)
    }

    func testIDPersistsAndAnIDWithNulIsIgnored() {
        let stream = "id: 7\ndata: a\n\ndata: b\n\nid: x\u{0}y\ndata: c\n\nid\ndata: d\n\n"
        XCTAssertEqual(parse([stream]).events, [
            Parsed(type: "message", data: "a", id: "7"),
            Parsed(type: "message", data: "b", id: "7"),
            Parsed(type: "message", data: "c", id: "7"),
            Parsed(type: "message", data: "d", id: ""),
        ])
    }

    func testRetryAcceptsOnlyDigits() {
        XCTAssertEqual(parse(["retry: 1500\n\n"]).parser.reconnectionTime, 1500)
        XCTAssertEqual(parse(["retry: 1500\nretry: 15x\nretry: -1\nretry:\n\n"]).parser.reconnectionTime, 1500)
        XCTAssertNil(parse(["retry: 99999999999999999999999\n\n"]).parser.reconnectionTime)
    }

    func testAnEventCutByTheEndOfTheStreamIsDiscarded() {
        let parsed = parse(["id: 1\ndata: done\n\nid: 2\ndata: {\"partial\":"])
        XCTAssertEqual(parsed.events, [Parsed(type: "message", data: "done", id: "1")])
        XCTAssertEqual(parsed.parser.lastEventID, "1", "the cut event's id was never confirmed")
        // A complete last line without its blank line is discarded too.
        XCTAssertEqual(parse(["data: a\n\ndata: b\n"]).events, [Parsed(type: "message", data: "a", id: "")])
    }

    func testLeadingByteOrderMarkIsSkippedOnlyAtTheStart() {
        let bom = "\u{FEFF}"
        XCTAssertEqual(parse([bom + "data: a\n\n"]).events, [Parsed(type: "message", data: "a", id: "")])
        XCTAssertEqual(parse(["data: a\n\n" + bom + "data: b\n\n"]).events.count, 1, "a BOM later is part of a field name")
    }

    func testOversizedDataIsReportedAndTheStreamGoesOn() {
        let big = String(repeating: "x", count: 300)
        let stream = "data: \(big)\n\ndata: \(big.prefix(50))\ndata: \(big.prefix(60))\n\ndata: ok\n\n"
        let parsed = parse([stream], limit: 100)
        XCTAssertEqual(parsed.oversized, [300, 111])
        XCTAssertEqual(parsed.events, [Parsed(type: "message", data: "ok", id: "")])
        // The same when the long line spans many chunks (and exceeds the line limit).
        let huge = String(repeating: "y", count: 5000)
        let chunked = parse(["data: ", String(huge.prefix(2500)), String(huge.dropFirst(2500)), "\n\ndata: ok\n\n"], limit: 100)
        XCTAssertEqual(chunked.oversized, [5000])
        XCTAssertEqual(chunked.events, [Parsed(type: "message", data: "ok", id: "")])
    }

    func testEventTypeResetsAfterDispatch() {
        let stream = "event: endpoint\ndata: /messages?sessionId=1\n\ndata: {}\n\n"
        XCTAssertEqual(parse([stream]).events, [
            Parsed(type: "endpoint", data: "/messages?sessionId=1", id: ""),
            Parsed(type: "message", data: "{}", id: ""),
        ])
        assertChunkingInvariant(stream)
    }
}
