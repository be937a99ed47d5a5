import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import MCPTransports

/// What NIO's HTTP/1 decoder (the front's parser) hands to `ModernRequestHeaders`: values
/// trimmed of surrounding whitespace, duplicates kept as separate lines.
struct ModernHeaderParsingTests {
    static func parse(_ head: String) throws -> ModernRequestHeaders {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
        try channel.writeInbound(ByteBuffer(string: head))
        guard case .head(let request) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("no request head")
            return ModernRequestHeaders()
        }
        _ = try? channel.finish()
        return ModernRequestHeaders(request.headers)
    }

    @Test func surroundingWhitespaceIsTrimmedByTheParser() throws {
        let headers = try Self.parse(
            "POST /mcp HTTP/1.1\r\nHost: x\r\nMCP-Protocol-Version:   2026-07-28  \r\nmcp-method:\ttools/call\t\r\n"
                + "Mcp-Param-Region:  eu \r\nContent-Length: 0\r\n\r\n")
        #expect(headers.protocolVersion == "2026-07-28")
        #expect(headers.method == "tools/call")
        #expect(headers.paramValues(token: "region") == ["eu"])
    }

    @Test func duplicatesSurviveTheParser() throws {
        let headers = try Self.parse(
            "POST /mcp HTTP/1.1\r\nHost: x\r\nMcp-Name: a\r\nMCP-NAME: b\r\nMcp-Param-X: 1\r\nmcp-param-x: 2\r\nContent-Length: 0\r\n\r\n")
        #expect(headers.duplicatedRoutingHeader == "mcp-name")
        #expect(headers.name == "a")
        #expect(headers.paramValues(token: "X") == ["1", "2"])
    }
}
