import JSONRPC
import Logging
@testable import MCPTransports
import NIOCore
import NIOHTTP1
import XCTest

final class LegacySSEClientTransportTests: XCTestCase {
    private let logger = Logger(label: "test")

    private func configuration(_ url: String, kind: RemoteUpstreamConfiguration.Kind = .legacySSE) -> RemoteUpstreamConfiguration {
        RemoteUpstreamConfiguration(url: url, kind: kind, headers: ["X-Api-Key": "k2"], requestTimeout: .seconds(5), connectTimeout: .seconds(1))
    }

    func testMessagesGoToTheAnnouncedEndpointAndAnswersComeOnTheStream() async throws {
        let server = try await StubLegacySSEServer.start()
        let transport = LegacySSEClientTransport(name: "legacy", configuration: configuration(server.url), logger: logger)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        XCTAssertEqual(transport.messageEndpoint, server.http.url("/messages?sessionId=abc"))
        transport.send(StubMessages.initialize(id: 1))
        transport.send(StubMessages.initialized)
        transport.send(StubMessages.call(id: 2, tool: "echo"))
        let answered = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(answered)
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.response(id: "2", method: "tools/call", tool: "echo"),
        ])
        let log = server.log
        XCTAssertEqual(log.first?.method, .GET)
        XCTAssertEqual(log.first?.header("accept"), "text/event-stream")
        XCTAssertEqual(log.first?.header("x-api-key"), "k2")
        let posts = log.filter { $0.method == .POST }
        XCTAssertEqual(posts.map(\.uri), Array(repeating: "/messages?sessionId=abc", count: 3))
        XCTAssertEqual(posts.map { $0.header("content-type") }, Array(repeating: "application/json", count: 3))
        XCTAssertEqual(posts.map { $0.header("x-api-key") }, Array(repeating: "k2", count: 3))
        XCTAssertEqual(posts.map(\.bodyText), [
            String(buffer: StubMessages.initialize(id: 1)), String(buffer: StubMessages.initialized),
            String(buffer: StubMessages.call(id: 2, tool: "echo")),
        ])

        server.endStream()
        let ended = await sink.wait { $0.closeReason != nil }
        XCTAssertTrue(ended)
        XCTAssertEqual(sink.closeReason, .endOfStream)
        XCTAssertFalse(transport.send(StubMessages.call(id: 3, tool: "echo")))
        await transport.close()
        XCTAssertEqual(sink.closeReason, .endOfStream)
        await server.stop()
    }

    func testFailedPostAnswersTheRequestWithAnError() async throws {
        let server = try await StubLegacySSEServer.start()
        let transport = LegacySSEClientTransport(name: "legacy", configuration: configuration(server.url), logger: logger)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(StubMessages.call(id: 4, tool: "fail"))
        let answered = await sink.wait { $0.messages.count == 1 }
        XCTAssertTrue(answered)
        let error = try XCTUnwrap(StubMessages.error(in: try XCTUnwrap(sink.messages.first)))
        XCTAssertEqual(error.id, .number(4))
        XCTAssertEqual(error.code, -32000)
        XCTAssertTrue(error.message?.contains("500") == true && error.message?.contains("/messages") == true, error.message ?? "")
        await transport.close()
        XCTAssertEqual(sink.closeReason, .closedLocally)
        await server.stop()
    }

    func testEndpointOnAnotherOriginIsRefused() async throws {
        let server = try await StubLegacySSEServer.start(endpoint: "http://elsewhere.invalid:8080/messages")
        let transport = LegacySSEClientTransport(name: "legacy", configuration: configuration(server.url), logger: logger)
        let sink = FrameCollector()
        do {
            try await transport.start(sink: sink)
            XCTFail("start should refuse a cross-origin endpoint")
        } catch {
            XCTAssertTrue(error.message.contains("another origin"), error.message)
        }
        XCTAssertNil(sink.closeReason, "a failed start reports nothing to the sink")
        XCTAssertFalse(transport.send(StubMessages.initialize(id: 1)))
        await server.stop()
    }

    func testURLWithoutEventStreamFailsToStart() async throws {
        let server = try await StubMCPServer.start(getMode: .notAllowed)
        let transport = LegacySSEClientTransport(name: "legacy", configuration: configuration(server.url), logger: logger)
        do {
            try await transport.start(sink: FrameCollector())
            XCTFail("start should fail")
        } catch {
            XCTAssertTrue(error.message.contains("400") && error.message.contains("SSE endpoint"), error.message)
        }
        await server.stop()
    }

    func testAutomaticFallsBackToLegacyWhenInitializeIsRefused() async throws {
        let server = try await StubLegacySSEServer.start()
        let transport = RemoteUpstreamTransport.make(name: "auto", configuration: configuration(server.url, kind: .automatic), logger: logger)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(StubMessages.initialize(id: 1))
        transport.send(StubMessages.initialized)
        transport.send(StubMessages.call(id: 2, tool: "echo"))
        let answered = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(answered, "\(sink.messages)")
        try? await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.response(id: "2", method: "tools/call", tool: "echo"),
        ])
        let log = server.log
        XCTAssertEqual(log.map(\.method), [.POST, .GET, .POST, .POST, .POST])
        XCTAssertEqual(log.map(\.uri), ["/sse", "/sse", "/messages?sessionId=abc", "/messages?sessionId=abc", "/messages?sessionId=abc"])
        XCTAssertEqual(log[2].bodyText, String(buffer: StubMessages.initialize(id: 1)))
        await transport.close()
        XCTAssertEqual(sink.closeReason, .closedLocally)
        await server.stop()
    }

    func testAutomaticAnswersInitializeWithAnErrorWhenNeitherTransportWorks() async throws {
        // A server that refuses the POST (400) and has no event stream either.
        let server = try await StubHTTPServer.start { _, responder in responder.respond(.badRequest, body: "no") }
        let transport = RemoteUpstreamTransport.make(
            name: "auto", configuration: configuration(server.url("/mcp"), kind: .automatic), logger: logger)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(StubMessages.initialize(id: 1))
        let answered = await sink.wait { $0.messages.count == 1 }
        XCTAssertTrue(answered)
        let error = try XCTUnwrap(StubMessages.error(in: try XCTUnwrap(sink.messages.first)))
        XCTAssertEqual(error.id, .number(1))
        XCTAssertEqual(error.code, -32000)
        let text = error.message ?? ""
        XCTAssertTrue(text.contains("not a Streamable HTTP endpoint") && text.contains("legacy SSE"), text)
        await transport.close()
        XCTAssertEqual(sink.closeReason, .closedLocally)
        await server.stop()
    }

    func testAutomaticStaysOnStreamableHTTPWhenTheServerSpeaksIt() async throws {
        let server = try await StubMCPServer.start(getMode: .notAllowed)
        let transport = RemoteUpstreamTransport.make(name: "auto", configuration: configuration(server.url, kind: .automatic), logger: logger)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(StubMessages.initialize(id: 1))
        transport.send(StubMessages.initialized)
        transport.send(StubMessages.call(id: 2, tool: "json"))
        let answered = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(answered)
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.response(id: "2", method: "tools/call", tool: "json"),
        ])
        XCTAssertEqual(server.records("tools/call").first?.sessionID, "s-1")
        await transport.close()
        XCTAssertEqual(sink.closeReason, .closedLocally)
        await server.stop()
    }
}
