import NIOCore
import Testing
@testable import MCPRedis

@Suite struct RedisCommandEncodingTests {
    private func wire(_ command: RedisCommand) -> String {
        var buffer = ByteBuffer()
        command.encode(into: &buffer)
        return String(buffer: buffer)
    }

    @Test func arrayOfBulkStrings() {
        #expect(wire(RedisCommand("PING")) == "*1\r\n$4\r\nPING\r\n")
        #expect(wire(RedisCommand("SET", "key", "value")) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
        #expect(wire(RedisCommand("SET", "k", "")) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
        // UTF-8 lengths are bytes, not characters.
        #expect(wire(RedisCommand("GET", "é")) == "*2\r\n$3\r\nGET\r\n$2\r\né\r\n")
    }

    @Test func numbers() {
        #expect(wire(RedisCommand("X", 0, 7, -1, 1234567890)) == "*5\r\n$1\r\nX\r\n$1\r\n0\r\n$1\r\n7\r\n$2\r\n-1\r\n$10\r\n1234567890\r\n")
        #expect(wire(RedisCommand("X", .integer(.max), .integer(.min))) == "*3\r\n$1\r\nX\r\n$19\r\n9223372036854775807\r\n$20\r\n-9223372036854775808\r\n")
        #expect(wire(RedisCommand("X", .double(1.5), .double(.infinity), .double(-.infinity))) == "*4\r\n$1\r\nX\r\n$3\r\n1.5\r\n$3\r\ninf\r\n$4\r\n-inf\r\n")
        #expect(RedisArgument(UInt64.max) == .string("18446744073709551615"))
        #expect(RedisArgument(42 as UInt8) == .integer(42))
    }

    @Test func binaryArguments() {
        var bytes = ByteBuffer()
        bytes.writeBytes([0, 13, 10, 255])
        var buffer = ByteBuffer()
        RedisCommand("SET", "k", .bytes(bytes)).encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n".utf8) + [0, 13, 10, 255] + Array("\r\n".utf8))
    }

    @Test func encodedCommandsParseBack() throws {
        // What the encoder writes is a RESP array the decoder reads back, argument for argument.
        let command = RedisCommand("XADD", "stream", "MAXLEN", "~", 1000, "*", "data", .bytes(ByteBuffer(string: "{\"x\":1}")), .double(-0.25))
        var buffer = ByteBuffer()
        command.encode(into: &buffer)
        #expect(buffer.readableBytes <= command.estimatedEncodedLength)
        guard case .value(.array(let items?), let length) = try RESPParser().parse(buffer) else {
            Issue.record("not an array")
            return
        }
        #expect(length == buffer.readableBytes)
        #expect(items.compactMap(\.string) == ["XADD", "stream", "MAXLEN", "~", "1000", "*", "data", "{\"x\":1}", "-0.25"])
    }

    @Test func descriptionHidesArguments() {
        #expect(RedisCommand("AUTH", "user", "secret").description == "AUTH")
    }
}
