@testable import MCPTransports
import NIOCore
import Testing

/// The byte search that decides whether a message carries trace context.
@Suite struct ByteBufferSearchTests {
    @Test(arguments: [
        ("", "\"traceparent\"", false),
        ("\"traceparent\"", "\"traceparent\"", true),
        (#"{"params":{"_meta":{"traceparent":"00-ab"}}}"#, "\"traceparent\"", true),
        (#"{"params":{"_meta":{"tracestate":"x"}}}"#, "\"traceparent\"", false),
        ("\"traceparen", "\"traceparent\"", false),
        ("\"\"\"traceparent\"", "\"traceparent\"", true),   // candidates before the match
        ("xx\"traceparent", "\"traceparent\"", false),       // cut at the end
        ("abc", "", true),
    ])
    func findsTheNeedleExactlyWhenItIsThere(haystack: String, needle: String, expected: Bool) {
        #expect(ByteBuffer(string: haystack).containsBytes(Array(needle.utf8)) == expected)
    }

    @Test func looksOnlyAtTheReadableBytes() {
        var buffer = ByteBuffer(string: "\"traceparent\" and the rest")
        buffer.moveReaderIndex(forwardBy: 1)
        #expect(!buffer.containsBytes(Array("\"traceparent\"".utf8)))
        #expect(buffer.containsBytes(Array("traceparent\"".utf8)))
    }
}
