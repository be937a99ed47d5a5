import JSONRPC
import Logging
@testable import MCPTransports
import NIOCore
import NIOPosix
import XCTest

/// The common path of the Streamable HTTP client, which runs on AsyncHTTPClient's event loops:
/// ordering, deadlines, incremental reading, size limits, re-entrant sends, a shared client.
final class StreamableHTTPEventLoopPathTests: XCTestCase {
    private let logger = Logger(label: "test")

    private func configuration(_ url: String, timeout: Duration = .seconds(30), maxBytes: Int = 16 << 20) -> RemoteUpstreamConfiguration {
        RemoteUpstreamConfiguration(
            url: url, kind: .streamableHTTP, requestTimeout: timeout, connectTimeout: .seconds(1), maxMessageBytes: maxBytes)
    }

    private func transport(_ url: String, timeout: Duration = .seconds(30), maxBytes: Int = 16 << 20) -> StreamableHTTPClientTransport {
        StreamableHTTPClientTransport(name: "remote", configuration: configuration(url, timeout: timeout, maxBytes: maxBytes), logger: logger)
    }

    /// Starts a transport and completes the handshake (the stub refuses the GET stream).
    private func handshake(_ transport: any MessageTransport, _ sink: any MessageSink, answers: @escaping () -> Int) async throws {
        try await transport.start(sink: sink)
        XCTAssertTrue(transport.send(StubMessages.initialize(id: 1)))
        let answered = await pollUntil { answers() >= 1 }
        XCTAssertTrue(answered, "no initialize response")
        XCTAssertTrue(transport.send(StubMessages.initialized))
    }

    func testNotificationPostCompletesBeforeTheNextMessageIsSent() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await handshake(transport, sink) { sink.messages.count }
        transport.send(JSONRPCEncoder.notification(method: "notifications/slow", params: nil))
        transport.send(StubMessages.call(id: 2, tool: "json"))
        let answered = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(answered)
        XCTAssertEqual(sink.messages.last, StubMCPServer.response(id: "2", method: "tools/call", tool: "json"))
        let timeline = server.timeline
        let slowAnswered = try XCTUnwrap(timeline.firstIndex(of: "answered notifications/slow"), "\(timeline)")
        let callArrived = try XCTUnwrap(timeline.firstIndex(of: "arrived tools/call"), "\(timeline)")
        XCTAssertLessThan(slowAnswered, callArrived, "the request went out before the notification's POST completed: \(timeline)")
        XCTAssertEqual(
            timeline.filter { $0.hasPrefix("arrived") },
            ["arrived initialize", "arrived notifications/initialized", "arrived notifications/slow", "arrived tools/call"])
        await transport.close()
        await server.stop()
    }

    func testDeadlineDuringAnEventStreamGivesExactlyOneErrorAndDropsTheStream() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url, timeout: .milliseconds(600))
        let sink = FrameCollector()
        try await handshake(transport, sink) { sink.messages.count }
        transport.send(StubMessages.call(id: 2, tool: "ssehang"))
        let failed = await sink.wait { $0.messages.count == 3 }
        XCTAssertTrue(failed, "\(sink.messages)")
        try? await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(sink.messages.count, 3, "exactly one answer per request: \(sink.messages)")
        XCTAssertEqual(sink.messages[1], StubMCPServer.progress(token: "2"))
        let error = try XCTUnwrap(StubMessages.error(in: sink.messages[2]))
        XCTAssertEqual(error.id, .number(2))
        XCTAssertEqual(error.code, -32000)
        let text = error.message ?? ""
        XCTAssertTrue(text.contains("did not answer tools/call") && text.contains(server.url), text)
        let dropped = await pollUntil(seconds: 3) { server.heldPosts.allSatisfy { !$0.isConnected } }
        XCTAssertTrue(dropped, "the expired request's stream is still open")
        await transport.close()
        await server.stop()
    }

    func testOversizedJSONBodyInChunksIsCountedAndTheTransportGoesOn() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url, maxBytes: 1000)
        let sink = FrameCollector()
        try await handshake(transport, sink) { sink.messages.count }
        transport.send(StubMessages.call(id: 2, tool: "bigchunks"))
        let failed = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(failed)
        XCTAssertEqual(sink.oversizedCounts, [10_000])
        let error = try XCTUnwrap(StubMessages.error(in: sink.messages[1]))
        XCTAssertEqual(error.id, .number(2))
        XCTAssertTrue(error.message?.contains("10000 bytes, over the limit of 1000 bytes") == true, error.message ?? "")
        transport.send(StubMessages.call(id: 3, tool: "json"))
        let answered = await sink.wait { $0.messages.count == 3 }
        XCTAssertTrue(answered)
        XCTAssertEqual(sink.messages.last, StubMCPServer.response(id: "3", method: "tools/call", tool: "json"))
        await transport.close()
        await server.stop()
    }

    func testEventStreamAnswerIsRoutedAsItArrives() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await handshake(transport, sink) { sink.messages.count }
        transport.send(StubMessages.call(id: 2, tool: "drip"))
        // The server holds the response back until told: the progress event must come before.
        let progressed = await sink.wait { $0.messages.count >= 2 }
        XCTAssertTrue(progressed, "the progress event waited for the end of the stream")
        XCTAssertTrue(server.holdsResponses)
        XCTAssertEqual(sink.messages.count, 2, "\(sink.messages)")
        await server.releaseHeldResponses()
        let answered = await sink.wait { $0.messages.count == 3 }
        XCTAssertTrue(answered)
        XCTAssertEqual(Array(sink.messages.dropFirst()), [
            StubMCPServer.progress(token: "2"),
            StubMCPServer.response(id: "2", method: "tools/call", tool: "drip"),
        ])
        await transport.close()
        await server.stop()
    }

    func testEventStreamLeftOpenAfterTheResponseIsAnsweredAtOnceThenDropped() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await handshake(transport, sink) { sink.messages.count }
        transport.send(StubMessages.call(id: 2, tool: "sseopen"))
        // Well before the 30 s deadline: the response does not wait for the end of its stream.
        let answered = await sink.wait(seconds: 10) { $0.messages.count == 2 }
        XCTAssertTrue(answered, "the response waited for the end of its stream")
        XCTAssertEqual(sink.messages.last, StubMCPServer.response(id: "2", method: "tools/call", tool: "sseopen"))
        let dropped = await pollUntil(seconds: 10) { !server.heldPosts.isEmpty && server.heldPosts.allSatisfy { !$0.isConnected } }
        XCTAssertTrue(dropped, "a stream left open after its response is never let go")
        try? await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(sink.messages.count, 2, "no error follows an answered request: \(sink.messages)")
        await transport.close()
        await server.stop()
    }

    func testSendFromInsideTheSinkAndFromAnEventLoopStaysOnThatLoop() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url)
        let sink = ReplyingSink()
        sink.reply(through: transport)
        // No notifications/initialized: a one-way POST in flight would hold the next message back
        // until it completed, and the request would then go out on the loop that POST ended on.
        try await transport.start(sink: sink)
        transport.send(StubMessages.initialize(id: 1))
        let initialized = await sink.collector.wait { $0.messages.count == 1 }
        XCTAssertTrue(initialized)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        // The sampling request on this stream is answered from inside transportReceived.
        let sent = try await loop.submit { transport.send(StubMessages.call(id: 2, tool: "sse")) }.get()
        XCTAssertTrue(sent)
        let answered = await sink.collector.wait { $0.messages.count == 4 }
        XCTAssertTrue(answered, "\(sink.collector.messages)")
        let replied = await pollUntil { server.log.contains { $0.rpcID == .string("srv-9") && $0.kind == .successResponse } }
        XCTAssertTrue(replied, "the reply sent from inside the sink never went out")
        XCTAssertEqual(server.log.first { $0.rpcID == .string("srv-9") }?.status, 202)
        // The answer to a request sent on one of the client's loops is read on that loop.
        XCTAssertEqual(sink.collector.messages.last, StubMCPServer.response(id: "2", method: "tools/call", tool: "sse"))
        XCTAssertTrue(sink.arrivalLoops.last.flatMap { $0 } === loop, "the answer came on another thread")
        await transport.close()
        await server.stop()
    }

    func testSharedClientServesSeveralTransportsAndOutlivesEach() async throws {
        let server = try await StubMCPServer.start()
        let shared = SharedHTTPClient(connectTimeout: .seconds(1))
        let first = RemoteUpstreamTransport.make(name: "one", configuration: configuration(server.url), logger: logger, shared: shared)
        let second = RemoteUpstreamTransport.make(name: "two", configuration: configuration(server.url), logger: logger, shared: shared)
        let firstSink = FrameCollector()
        let secondSink = FrameCollector()
        try await handshake(first, firstSink) { firstSink.messages.count }
        try await handshake(second, secondSink) { secondSink.messages.count }
        first.send(StubMessages.call(id: 2, tool: "json"))
        second.send(StubMessages.call(id: 2, tool: "json"))
        let bothAnswered = await pollUntil { firstSink.messages.count == 2 && secondSink.messages.count == 2 }
        XCTAssertTrue(bothAnswered)
        await first.close()
        // Closing one transport leaves the shared client to the other.
        second.send(StubMessages.call(id: 3, tool: "json"))
        let answered = await secondSink.wait { $0.messages.count == 3 }
        XCTAssertTrue(answered)
        XCTAssertEqual(secondSink.messages.last, StubMCPServer.response(id: "3", method: "tools/call", tool: "json"))
        XCTAssertEqual(Set(server.records("tools/call").compactMap(\.sessionID)), ["s-1", "s-2"])
        await second.close()
        await shared.shutdown()
        await server.stop()
    }
}
