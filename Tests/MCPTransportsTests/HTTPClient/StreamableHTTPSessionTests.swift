import JSONRPC
import Logging
@testable import MCPTransports
import NIOCore
import NIOHTTP1
import XCTest

/// Session renewal after a 404 and resumption of a broken event stream.
final class StreamableHTTPSessionTests: XCTestCase {
    private let logger = Logger(label: "test")

    private func connect(_ server: StubMCPServer, _ sink: FrameCollector) async throws -> StreamableHTTPClientTransport {
        let transport = StreamableHTTPClientTransport(
            name: "remote",
            configuration: RemoteUpstreamConfiguration(url: server.url, kind: .streamableHTTP, requestTimeout: .seconds(20)),
            logger: logger)
        try await transport.start(sink: sink)
        transport.send(StubMessages.initialize(id: 1))
        let answered = await sink.wait { $0.messages.count == 1 }
        XCTAssertTrue(answered, "no initialize response")
        transport.send(StubMessages.initialized)
        return transport
    }

    func testExpiredSessionIsRenewedTransparentlyAndTheRequestRetriedOnce() async throws {
        let server = try await StubMCPServer.start(getMode: .notAllowed)
        let sink = FrameCollector()
        let transport = try await connect(server, sink)
        transport.send(StubMessages.request(id: 2, method: "logging/setLevel", params: #"{"level":"debug"}"#))
        transport.send(StubMessages.request(id: 3, method: "resources/subscribe", params: #"{"uri":"file:///a"}"#))
        transport.send(StubMessages.request(id: 4, method: "resources/subscribe", params: #"{"uri":"file:///b"}"#))
        transport.send(StubMessages.request(id: 5, method: "resources/unsubscribe", params: #"{"uri":"file:///b"}"#))
        _ = await sink.wait { $0.messages.count == 5 }
        server.expireSession()
        // Two requests at once: both wait for one renewal, then go through on the new session.
        transport.send(StubMessages.call(id: 6, tool: "json"))
        transport.send(StubMessages.call(id: 7, tool: "sse"))
        let answered = await sink.wait { $0.messages.count == 9 }
        XCTAssertTrue(answered, "got \(sink.messages)")
        try? await Task.sleep(for: .milliseconds(100))

        // The proxy sees exactly its own answers (and the sse call's related messages), nothing of the renewal.
        let expected: Set<String> = [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.response(id: "2", method: "logging/setLevel"),
            StubMCPServer.response(id: "3", method: "resources/subscribe"),
            StubMCPServer.response(id: "4", method: "resources/subscribe"),
            StubMCPServer.response(id: "5", method: "resources/unsubscribe"),
            StubMCPServer.response(id: "6", method: "tools/call", tool: "json"),
            StubMCPServer.progress(token: "7"),
            StubMCPServer.samplingRequest,
            StubMCPServer.response(id: "7", method: "tools/call", tool: "sse"),
        ]
        XCTAssertEqual(sink.messages.count, 9, "\(sink.messages)")
        XCTAssertEqual(Set(sink.messages), expected)
        // Requests run concurrently, so only the first answers have a fixed order; the messages of one
        // event stream keep theirs.
        XCTAssertEqual(Array(sink.messages.prefix(1)), [StubMCPServer.response(id: "1", method: "initialize")])
        let sseMessages = sink.messages.filter { $0.contains("srv-9") || $0.contains("progressToken\":7") || $0.contains("\"id\":7") }
        XCTAssertEqual(sseMessages, [
            StubMCPServer.progress(token: "7"), StubMCPServer.samplingRequest,
            StubMCPServer.response(id: "7", method: "tools/call", tool: "sse"),
        ])
        XCTAssertFalse(sink.messages.contains { $0.contains("mcp-proxy-renewal") })

        // The server saw: initialize twice (the second under an id of the transport's, without a
        // session), initialized twice, setLevel and the live subscription replayed on the new
        // session, the dropped subscription not replayed, each call refused once and done once.
        let initializes = server.records("initialize")
        XCTAssertEqual(initializes.count, 2)
        XCTAssertEqual(initializes.last?.rpcID, .string("mcp-proxy-renewal-1"))
        XCTAssertNil(initializes.last?.sessionID)
        XCTAssertEqual(initializes.last?.request.body, StubMessages.initialize(id: 1).replacingFirstID(with: #""mcp-proxy-renewal-1""#))
        XCTAssertEqual(server.records("notifications/initialized").map(\.sessionID), ["s-1", "s-2"])
        let setLevels = server.records("logging/setLevel")
        XCTAssertEqual(setLevels.map(\.sessionID), ["s-1", "s-2"])
        XCTAssertEqual(setLevels.last?.protocolVersion, "2025-11-25")
        let subscriptions = server.records("resources/subscribe").filter { $0.status == 200 }
        XCTAssertEqual(subscriptions.filter { $0.request.bodyText.contains("file:///a") }.map(\.sessionID), ["s-1", "s-2"])
        XCTAssertEqual(subscriptions.filter { $0.request.bodyText.contains("file:///b") }.map(\.sessionID), ["s-1"])
        for id in [6, 7] {
            let attempts = server.records("tools/call").filter { $0.rpcID == .number(Int64(id)) }
            XCTAssertEqual(attempts.map(\.status), [404, 200], "call \(id)")
            XCTAssertEqual(attempts.map(\.sessionID), ["s-1", "s-2"], "call \(id)")
        }
        await transport.close()
        XCTAssertEqual(server.log.last?.request.method, .DELETE)
        XCTAssertEqual(server.log.last?.sessionID, "s-2")
        await server.stop()
    }

    func testBrokenEventStreamIsResumedWithLastEventID() async throws {
        let server = try await StubMCPServer.start(getMode: .notAllowed)
        let sink = FrameCollector()
        let transport = try await connect(server, sink)
        transport.send(StubMessages.call(id: 2, tool: "cut"))
        let answered = await sink.wait { $0.messages.count == 3 }
        XCTAssertTrue(answered)
        try? await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.progress(token: "2"),
            StubMCPServer.response(id: "2", method: "tools/call", tool: "cut"),
        ])
        let resumes = server.log.filter { $0.request.method == .GET && $0.lastEventID != nil }
        XCTAssertEqual(resumes.map(\.lastEventID), ["cut-1"])
        XCTAssertEqual(resumes.first?.sessionID, "s-1")
        XCTAssertEqual(resumes.first?.request.header("accept"), "text/event-stream")
        XCTAssertEqual(server.records("tools/call").count, 1, "a resumed request is never POSTed again")
        await transport.close()
        await server.stop()
    }

    func testSessionLostOnTheServerStreamIsRenewedAndTheStreamReopened() async throws {
        let server = try await StubMCPServer.start(getMode: .stream)
        let sink = FrameCollector()
        let transport = try await connect(server, sink)
        let pushed = await sink.wait { $0.messages.count == 3 }
        XCTAssertTrue(pushed)
        server.expireSession()
        // The server drops the stream; the reconnect meets 404 and leads to a new session and stream.
        await server.dropEventStreams()
        let reopened = await sink.wait { $0.messages.count == 5 }
        XCTAssertTrue(reopened, "\(sink.messages)")
        XCTAssertEqual(Array(sink.messages.suffix(2)), [StubMCPServer.listChanged, StubMCPServer.rootsRequest])
        XCTAssertEqual(server.records("initialize").count, 2)
        let gets = server.log.filter { $0.request.method == .GET }
        XCTAssertEqual(gets.first?.sessionID, "s-1")
        XCTAssertEqual(gets.last?.sessionID, "s-2")
        XCTAssertEqual(gets.last?.status, 200)
        XCTAssertTrue(gets.contains { $0.status == 404 && $0.lastEventID == "g-2" }, "the reconnect carries the last event id")
        await transport.close()
        await server.stop()
    }
}

extension ByteBuffer {
    /// The buffer with its first `"id":<token>` replaced (test expectations of id rewriting).
    func replacingFirstID(with token: String) -> ByteBuffer {
        guard let message = try? JSONRPCScanner().scanMessage(self) else { return self }
        return message.replacingID(with: Array(token.utf8))
    }
}
