import JSONRPC
import NIOCore
import Testing

@testable import MCPProxy

/// Where task ids are rewritten in upstream answers, and the task capabilities the proxy offers.
@Suite struct TaskIDRewriterTests {
    private func rewritten(_ text: String) throws -> String {
        let message = try JSONRPCScanner().scanMessage(ByteBuffer(string: text))
        let result = JSONView(message: message, range: try #require(message.envelope.resultRange))
        return String(buffer: message.splicing(TaskIDRewriter.edits(inResult: result) { "P." + $0 }))
    }

    @Test func modernCreateAndGet() throws {
        #expect(try rewritten(#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"task","taskId":"t-1","status":"working","ttlMs":60000}}"#)
            == #"{"jsonrpc":"2.0","id":1,"result":{"resultType":"task","taskId":"P.t-1","status":"working","ttlMs":60000}}"#)
        // A completed task's inner result is the tool's and keeps its bytes.
        #expect(try rewritten(#"{"jsonrpc":"2.0","id":2,"result":{"resultType":"complete","taskId":"t-1","status":"completed","result":{"content":[],"taskId":"inner"}}}"#)
            == #"{"jsonrpc":"2.0","id":2,"result":{"resultType":"complete","taskId":"P.t-1","status":"completed","result":{"content":[],"taskId":"inner"}}}"#)
    }

    @Test func handshakeEraShapes() throws {
        #expect(try rewritten(#"{"jsonrpc":"2.0","id":1,"result":{"task":{"taskId":"a","status":"working"}}}"#)
            == #"{"jsonrpc":"2.0","id":1,"result":{"task":{"taskId":"P.a","status":"working"}}}"#)
        #expect(try rewritten(#"{"jsonrpc":"2.0","id":1,"result":{"tasks":[{"taskId":"a"},{"taskId":"b"}],"nextCursor":"c"}}"#)
            == #"{"jsonrpc":"2.0","id":1,"result":{"tasks":[{"taskId":"P.a"},{"taskId":"P.b"}],"nextCursor":"c"}}"#)
        #expect(try rewritten(#"{"jsonrpc":"2.0","id":1,"result":{"content":[],"_meta":{"io.modelcontextprotocol/related-task":{"taskId":"a"}}}}"#)
            == #"{"jsonrpc":"2.0","id":1,"result":{"content":[],"_meta":{"io.modelcontextprotocol/related-task":{"taskId":"P.a"}}}}"#)
    }

    @Test func ordinaryResultsAreLeftAlone() throws {
        let plain = #"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"taskId"}],"taskId":7}}"#
        #expect(try rewritten(plain) == plain)
    }

    @Test func capabilities() {
        let modern = ServerCapabilities(raw: ["tools": [:], "extensions": ["io.modelcontextprotocol/tasks": [:]]])
        let handshake = ServerCapabilities(raw: ["tasks": ["cancel": [:], "list": [:], "requests": ["tools": ["call": [:]]]]])
        let plain = ServerCapabilities(raw: ["tools": [:]])
        #expect(TaskIDRewriter.runsTasks(modern) && TaskIDRewriter.runsTasks(handshake) && !TaskIDRewriter.runsTasks(plain))
        // Handshake era: cancel and requests merged; list is not offered (not merged by the proxy).
        #expect(TaskIDRewriter.mergedHandshakeCapability([plain, handshake, modern])
            == .object(["cancel": [:], "requests": ["tools": ["call": [:]]]]))
        #expect(TaskIDRewriter.mergedHandshakeCapability([plain, modern]) == nil)
        // 2026-07-28: the extension when an upstream offers it, and never the handshake-era entry.
        var discover: [String: JSONValue] = ["tools": [:], "tasks": ["cancel": [:]]]
        TaskIDRewriter.modernCapabilities(&discover, upstreams: [plain, modern])
        #expect(discover == ["tools": [:], "extensions": ["io.modelcontextprotocol/tasks": [:]]])
        var without: [String: JSONValue] = ["tools": [:], "tasks": ["cancel": [:]]]
        TaskIDRewriter.modernCapabilities(&without, upstreams: [plain, handshake])
        #expect(without == ["tools": [:]])
    }
}
