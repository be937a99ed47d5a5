import NIOCore
import NIOEmbedded
import Testing
@testable import MCPRedis

/// Parses `text` as one complete value and checks it took every byte.
private func parse(_ text: String, limits: RESPLimits = .default) throws -> RESPValue {
    let buffer = ByteBuffer(string: text)
    switch try RESPParser(limits: limits).parse(buffer) {
    case .value(let value, let length):
        #expect(length == buffer.readableBytes, "\(text.debugDescription) took \(length) of \(buffer.readableBytes) bytes")
        return value
    case .incomplete(let needed):
        Issue.record("\(text.debugDescription) is incomplete (needs \(needed))")
        return .null
    }
}

/// The protocol error `text` causes, or `nil` when it parses.
private func failure(_ text: String, limits: RESPLimits = .default) -> String? {
    do throws(RedisError) {
        _ = try RESPParser(limits: limits).parse(ByteBuffer(string: text))
        return nil
    } catch {
        guard case .protocolError(let message) = error else { return "not a protocol error: \(error)" }
        return message
    }
}

private func bulk(_ text: String) -> RESPValue { .bulkString(ByteBuffer(string: text)) }

@Suite struct RESPParserTypeTests {
    @Test func simpleStringErrorInteger() throws {
        #expect(try parse("+OK\r\n") == .simpleString("OK"))
        #expect(try parse("+\r\n") == .simpleString(""))
        #expect(try parse("-ERR unknown command 'FOO'\r\n") == .simpleError("ERR unknown command 'FOO'"))
        #expect(try parse(":0\r\n") == .integer(0))
        #expect(try parse(":-42\r\n") == .integer(-42))
        #expect(try parse(":+7\r\n") == .integer(7))
        #expect(try parse(":9223372036854775807\r\n") == .integer(.max))
    }

    @Test func bulkStrings() throws {
        #expect(try parse("$5\r\nhello\r\n") == bulk("hello"))
        #expect(try parse("$0\r\n\r\n") == bulk(""))
        #expect(try parse("$-1\r\n") == .bulkString(nil))
        // Binary safe: CR, LF and NUL inside the data.
        let value = try parse("$7\r\na\r\nb\0c\n\r\n")
        #expect(value.bytes.map { Array($0.readableBytesView) } == Array("a\r\nb\0c\n".utf8))
    }

    @Test func arraysAndNulls() throws {
        #expect(try parse("*0\r\n") == .array([]))
        #expect(try parse("*-1\r\n") == .array(nil))
        #expect(try parse("*3\r\n:1\r\n$3\r\nfoo\r\n*1\r\n+x\r\n") == .array([.integer(1), bulk("foo"), .array([.simpleString("x")])]))
        #expect(try parse("_\r\n") == .null)
        #expect(RESPValue.null.isNull && RESPValue.bulkString(nil).isNull && RESPValue.array(nil).isNull)
    }

    @Test func resp3Scalars() throws {
        #expect(try parse(",3.25\r\n") == .double(3.25))
        #expect(try parse(",-1.5e3\r\n") == .double(-1500))
        #expect(try parse(",10\r\n") == .double(10))
        #expect(try parse(",inf\r\n") == .double(.infinity))
        #expect(try parse(",-inf\r\n") == .double(-.infinity))
        if case .double(let nan) = try parse(",nan\r\n") { #expect(nan.isNaN) } else { Issue.record("nan") }
        #expect(try parse("#t\r\n") == .boolean(true))
        #expect(try parse("#f\r\n") == .boolean(false))
        #expect(try parse("(3492890328409238509324850943850943825024385\r\n") == .bigNumber("3492890328409238509324850943850943825024385"))
        #expect(try parse("(-12\r\n") == .bigNumber("-12"))
        #expect(try parse("!21\r\nSYNTAX invalid syntax\r\n") == .blobError("SYNTAX invalid syntax"))
        #expect(try parse("=15\r\ntxt:Some string\r\n") == .verbatimString(format: "txt", text: ByteBuffer(string: "Some string")))
        #expect(try parse("=4\r\nmkd:\r\n") == .verbatimString(format: "mkd", text: ByteBuffer()))
    }

    @Test func resp3Aggregates() throws {
        #expect(try parse("%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#f\r\n") == .map([
            RESPMapEntry(key: .simpleString("first"), value: .integer(1)),
            RESPMapEntry(key: bulk("second"), value: .boolean(false)),
        ]))
        #expect(try parse("%0\r\n") == .map([]))
        #expect(try parse("~3\r\n+a\r\n:2\r\n_\r\n") == .set([.simpleString("a"), .integer(2), .null]))
        #expect(try parse(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n") == .push([bulk("message"), bulk("ch"), bulk("hi")]))
    }

    @Test func attributesAreSkipped() throws {
        // An attribute before a top-level value, and one before a nested element.
        #expect(try parse("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n:42\r\n") == .integer(42))
        #expect(try parse("*2\r\n|1\r\n+ttl\r\n:3600\r\n+x\r\n:5\r\n") == .array([.simpleString("x"), .integer(5)]))
        // Two attributes in a row.
        #expect(try parse("|0\r\n|0\r\n#t\r\n") == .boolean(true))
    }

    @Test func accessors() throws {
        #expect(bulk("12").int == 12)
        #expect(RESPValue.integer(3).string == "3")
        #expect(RESPValue.simpleError("NOSCRIPT x").errorMessage == "NOSCRIPT x")
        #expect(RESPValue.blobError("E").errorMessage == "E")
        #expect(RESPValue.set([.integer(1)]).elements == [.integer(1)])
        #expect(RESPValue.array(nil).elements == nil)
    }
}

@Suite struct RESPParserFragmentTests {
    static let composite = ">4\r\n$8\r\npmessage\r\n+news.*\r\n$10\r\nnews.world\r\n*7\r\n:-1\r\n,2.5\r\n#t\r\n=8\r\ntxt:abcd\r\n%1\r\n(123\r\n~1\r\n_\r\n!3\r\nERR\r\n|1\r\n+a\r\n+b\r\n$-1\r\n"

    @Test func everyPrefixIsIncomplete() throws {
        let bytes = Array(Self.composite.utf8)
        let parser = RESPParser()
        for length in 0..<bytes.count {
            let outcome = try parser.parse(ByteBuffer(bytes: bytes[0..<length]))
            guard case .incomplete(let needed) = outcome else {
                Issue.record("a prefix of \(length) bytes parsed as \(outcome)")
                return
            }
            #expect(needed > length && needed <= bytes.count, "prefix \(length) needs \(needed)")
        }
        guard case .value(_, let length) = try parser.parse(ByteBuffer(bytes: bytes)) else {
            Issue.record("the whole message did not parse")
            return
        }
        #expect(length == bytes.count)
    }

    @Test func decoderByteByByte() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder()))
        let messages = [Self.composite, "+OK\r\n", "$5\r\nhello\r\n", "*2\r\n:1\r\n:2\r\n"]
        let expected = try messages.map { try parse($0) }
        var received: [RESPValue] = []
        for byte in messages.joined().utf8 {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            while let value = try channel.readInbound(as: RESPValue.self) { received.append(value) }
        }
        #expect(received == expected)
        #expect(try channel.finish().isClean)
    }

    @Test func decoderManyValuesInOneRead() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder()))
        try channel.writeInbound(ByteBuffer(string: String(repeating: ":1\r\n", count: 100) + "+tail\r\n$3\r\nab"))
        var count = 0
        while let value = try channel.readInbound(as: RESPValue.self) {
            if count < 100 { #expect(value == .integer(1)) } else { #expect(value == .simpleString("tail")) }
            count += 1
        }
        #expect(count == 101)
        try channel.writeInbound(ByteBuffer(string: "c\r\n"))
        #expect(try channel.readInbound(as: RESPValue.self) == bulk("abc"))
        _ = try channel.finish()
    }

    @Test func largeBulkStringInChunks() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder()))
        let payload = String(repeating: "x", count: 1 << 20)
        let wire = Array("$\(payload.utf8.count)\r\n\(payload)\r\n".utf8)
        var offset = 0
        while offset < wire.count {
            let end = min(wire.count, offset + 1000)
            try channel.writeInbound(ByteBuffer(bytes: wire[offset..<end]))
            offset = end
            if offset < wire.count { #expect(try channel.readInbound(as: RESPValue.self) == nil) }
        }
        #expect(try channel.readInbound(as: RESPValue.self)?.bytes?.readableBytes == 1 << 20)
        _ = try channel.finish()
    }
}

@Suite struct RESPParserLimitTests {
    @Test func bulkLength() {
        let limits = RESPLimits(maxBulkLength: 10)
        #expect(failure("$10\r\n0123456789\r\n", limits: limits) == nil)
        #expect(failure("$11\r\n", limits: limits)?.contains("maxBulkLength") == true)
        #expect(failure("!11\r\n", limits: limits)?.contains("maxBulkLength") == true)
        // A declared 1 TB string is refused before a byte of it arrives.
        #expect(failure("$1099511627776\r\n")?.contains("maxBulkLength") == true)
    }

    @Test func aggregateCount() {
        let limits = RESPLimits(maxAggregateCount: 3)
        #expect(failure("*3\r\n:1\r\n:2\r\n:3\r\n", limits: limits) == nil)
        #expect(failure("*4\r\n", limits: limits)?.contains("maxAggregateCount") == true)
        #expect(failure("%4\r\n", limits: limits)?.contains("maxAggregateCount") == true)
        #expect(failure("~4\r\n", limits: limits)?.contains("maxAggregateCount") == true)
        #expect(failure(">4\r\n", limits: limits)?.contains("maxAggregateCount") == true)
    }

    @Test func hugeDeclaredCountAllocatesNothing() throws {
        // Within the count limit but with no elements yet: incomplete, and nothing reserved.
        let outcome = try RESPParser(limits: RESPLimits(maxAggregateCount: .max)).parse(ByteBuffer(string: "*9000000000000000000\r\n"))
        guard case .incomplete = outcome else {
            Issue.record("expected incomplete, got \(outcome)")
            return
        }
    }

    @Test func depth() {
        let limits = RESPLimits(maxDepth: 3)
        #expect(failure("*1\r\n*1\r\n:1\r\n", limits: limits) == nil)
        #expect(failure("*1\r\n*1\r\n*1\r\n:1\r\n", limits: limits)?.contains("maxDepth") == true)
        // The default limit stops a server that nests without end, without a stack overflow.
        #expect(failure(String(repeating: "*1\r\n", count: 100_000))?.contains("maxDepth") == true)
    }

    @Test func lineLength() {
        let limits = RESPLimits(maxLineLength: 8)
        #expect(failure("+12345678\r\n", limits: limits) == nil)
        #expect(failure("+123456789\r\n", limits: limits)?.contains("maxLineLength") == true)
        // A line that never ends is refused once it is longer than the limit.
        #expect(failure("+" + String(repeating: "a", count: 9), limits: limits)?.contains("maxLineLength") == true)
        #expect(failure("+" + String(repeating: "a", count: 8), limits: limits) == nil)
    }

    @Test func replyBytes() throws {
        let limits = RESPLimits(maxReplyBytes: 64)
        #expect(failure("*2\r\n$10\r\n0123456789\r\n$10\r\n0123456789\r\n", limits: limits) == nil)
        #expect(failure("*3\r\n$20\r\n", limits: limits) == nil) // incomplete, needs 33 bytes
        #expect(failure("*4\r\n$30\r\n012345678901234567890123456789\r\n$30\r\n", limits: limits)?.contains("maxReplyBytes") == true)
        // Through the decoder: the connection gets the error instead of buffering on.
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder(limits: limits)))
        #expect(throws: RedisError.self) {
            try channel.writeInbound(ByteBuffer(string: "*100\r\n" + String(repeating: ":1234567890\r\n", count: 10)))
        }
    }
}

@Suite struct RESPParserMalformedTests {
    @Test(arguments: [
        ("?\r\n", "unknown RESP type"),
        (":12a\r\n", "invalid integer"),
        (":\r\n", "invalid integer"),
        (":99999999999999999999\r\n", "invalid integer"),
        ("+OK\rX", "CR not followed by LF"),
        ("$3\r\nabcd\r\n", "not ended by CRLF"),
        ("$-2\r\n", "negative length"),
        ("*-2\r\n", "negative element count"),
        ("%-1\r\n", "negative element count"),
        ("!-1\r\n", "negative length"),
        ("#x\r\n", "invalid boolean"),
        ("#tt\r\n", "invalid boolean"),
        (",abc\r\n", "invalid double"),
        (",\r\n", "invalid double"),
        ("(12x\r\n", "invalid big number"),
        ("=3\r\ntxt\r\n", "verbatim"),
        ("=5\r\ntxt-x\r\n", "verbatim"),
        ("_x\r\n", "null"),
        ("$?\r\n", "streamed"),
        ("*?\r\n", "streamed"),
    ])
    func malformed(input: String, expected: String) {
        let message = failure(input)
        #expect(message?.contains(expected) == true, "\(input.debugDescription): \(message ?? "parsed")")
    }

    @Test func decoderClosesOnMalformedInput() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder()))
        #expect(throws: RedisError.self) { try channel.writeInbound(ByteBuffer(string: "+OK\r\n@oops\r\n")) }
        #expect(try channel.readInbound(as: RESPValue.self) == .simpleString("OK"))
        _ = try? channel.finish()
    }
}
