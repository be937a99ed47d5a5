import JSONRPC
import Logging
@testable import MCPTransports
import NIOCore
import NIOHTTP1
import XCTest

final class StreamableHTTPClientTransportTests: XCTestCase {
    private let logger = Logger(label: "test")

    private func transport(
        _ url: String, headers: [String: String] = [:], timeout: Duration = .seconds(30), maxBytes: Int = 16 << 20
    ) -> StreamableHTTPClientTransport {
        StreamableHTTPClientTransport(
            name: "remote",
            configuration: RemoteUpstreamConfiguration(
                url: url, kind: .streamableHTTP, headers: headers, requestTimeout: timeout, connectTimeout: .seconds(1),
                maxMessageBytes: maxBytes),
            logger: logger)
    }

    /// Starts a transport and completes the handshake; returns once the GET stream was asked for.
    private func handshake(_ transport: StreamableHTTPClientTransport, _ server: StubMCPServer, _ sink: FrameCollector) async throws {
        try await transport.start(sink: sink)
        XCTAssertTrue(transport.send(StubMessages.initialize(id: 1)))
        let answered = await sink.wait { $0.messages.count == 1 }
        XCTAssertTrue(answered, "no initialize response")
        XCTAssertTrue(transport.send(StubMessages.initialized))
        let streamRequested = await pollUntil { server.log.contains { $0.request.method == .GET } }
        XCTAssertTrue(streamRequested, "the GET stream was never requested")
    }

    func testJSONAnswersAndTheSessionAndVersionHeadersOfEveryRequest() async throws {
        let server = try await StubMCPServer.start(getMode: .notAllowed)
        let transport = transport(server.url, headers: ["X-Api-Key": "k1", "Accept": "text/plain"])
        let sink = FrameCollector()
        try await handshake(transport, server, sink)
        transport.send(StubMessages.call(id: 2, tool: "json"))
        let answered = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(answered)
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.response(id: "2", method: "tools/call", tool: "json"),
        ])

        let initialize = try XCTUnwrap(server.records("initialize").first)
        XCTAssertNil(initialize.sessionID)
        XCTAssertNil(initialize.protocolVersion)
        XCTAssertEqual(initialize.request.header("accept"), "application/json, text/event-stream")
        XCTAssertEqual(initialize.request.header("content-type"), "application/json")
        XCTAssertEqual(initialize.request.header("x-api-key"), "k1")
        XCTAssertEqual(initialize.request.uri, "/mcp")
        XCTAssertNil(initialize.request.header("authorization"))
        for method in ["notifications/initialized", "tools/call"] {
            let record = try XCTUnwrap(server.records(method).first, method)
            XCTAssertEqual(record.sessionID, "s-1", method)
            XCTAssertEqual(record.protocolVersion, "2025-11-25", method)
            XCTAssertEqual(record.request.header("x-api-key"), "k1", method)
        }
        let get = try XCTUnwrap(server.log.first { $0.request.method == .GET })
        XCTAssertEqual(get.request.header("accept"), "text/event-stream")
        XCTAssertEqual(get.sessionID, "s-1")
        XCTAssertEqual(get.status, 405)
        XCTAssertEqual(server.log.filter { $0.request.method == .GET }.count, 1, "a 405 GET stream must not be retried")

        await transport.close()
        let delete = try XCTUnwrap(server.log.first { $0.request.method == .DELETE })
        XCTAssertEqual(delete.sessionID, "s-1")
        XCTAssertEqual(sink.closeReason, .closedLocally)
        XCTAssertFalse(transport.send(StubMessages.call(id: 3, tool: "json")))
        await server.stop()
    }

    func testEventStreamAnswerDeliversRelatedMessagesThenTheResponse() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await handshake(transport, server, sink)
        transport.send(StubMessages.call(id: 2, tool: "sse"))
        let answered = await sink.wait { $0.messages.count == 4 }
        XCTAssertTrue(answered)
        // The server's request on the POST stream is answered with a POST of its own.
        transport.send(ByteBuffer(string: #"{"jsonrpc":"2.0","id":"srv-9","result":{"role":"assistant"}}"#))
        let posted = await pollUntil { server.log.contains { $0.kind == .successResponse } }
        XCTAssertTrue(posted)
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.progress(token: "2"),
            StubMCPServer.samplingRequest,
            StubMCPServer.response(id: "2", method: "tools/call", tool: "sse"),
        ])
        let response = try XCTUnwrap(server.log.first { $0.kind == .successResponse })
        XCTAssertEqual(response.rpcID, .string("srv-9"))
        XCTAssertEqual(response.status, 202)
        XCTAssertEqual(response.sessionID, "s-1")
        await transport.close()
        await server.stop()
    }

    func testJSONArrayAnswerDeliversEachElement() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await handshake(transport, server, sink)
        transport.send(StubMessages.call(id: 2, tool: "array"))
        _ = await sink.wait { $0.messages.count == 3 }
        try? await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.progress(token: "2"),
            StubMCPServer.response(id: "2", method: "tools/call", tool: "array"),
        ])
        await transport.close()
        await server.stop()
    }

    func testServerStreamDeliversServerInitiatedMessages() async throws {
        let server = try await StubMCPServer.start(getMode: .stream)
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await handshake(transport, server, sink)
        let pushed = await sink.wait { $0.messages.count == 3 }
        XCTAssertTrue(pushed)
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.listChanged,
            StubMCPServer.rootsRequest,
        ])
        transport.send(ByteBuffer(string: #"{"jsonrpc":"2.0","id":"srv-1","result":{"roots":[]}}"#))
        let answered = await pollUntil { server.log.contains { $0.rpcID == .string("srv-1") } }
        XCTAssertTrue(answered)
        XCTAssertEqual(server.log.first { $0.rpcID == .string("srv-1") }?.status, 202)
        XCTAssertEqual(server.log.filter { $0.request.method == .GET }.count, 1)
        await transport.close()
        XCTAssertEqual(sink.closeReason, .closedLocally)
        await server.stop()
    }

    func testConcurrentRequestsAreNotQueuedBehindEachOther() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await handshake(transport, server, sink)
        let started = ContinuousClock.now
        for id in 2...21 { transport.send(StubMessages.call(id: id, tool: "slow")) }
        let answered = await sink.wait { $0.messages.count == 21 }
        XCTAssertTrue(answered)
        // Twenty one-second calls finish together: requests are POSTed concurrently, not one after another.
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "one after another would take 20 s")
        let ids = sink.messages.dropFirst().compactMap { text -> Int? in
            guard let message = try? JSONRPCScanner().scanMessage(ByteBuffer(string: text)), case .number(let id)? = message.envelope.id else { return nil }
            return Int(id)
        }
        XCTAssertEqual(ids.sorted(), Array(2...21))
        await transport.close()
        await server.stop()
    }

    func testUnreachableServerAnswersTheRequestWithAnErrorNamingTheURL() async throws {
        let port = try await unusedLocalPort()
        let url = "http://127.0.0.1:\(port)/mcp"
        let transport = transport(url)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(StubMessages.initialized)
        transport.send(StubMessages.initialize(id: 7))
        let answered = await sink.wait { $0.messages.count == 1 }
        XCTAssertTrue(answered)
        let error = try XCTUnwrap(StubMessages.error(in: try XCTUnwrap(sink.messages.first)))
        XCTAssertEqual(error.id, .number(7))
        XCTAssertEqual(error.code, -32000)
        XCTAssertTrue(error.message?.contains(url) == true, error.message ?? "")
        try? await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(sink.messages.count, 1, "a failed notification must not produce a message")
        await transport.close()
    }

    func testHTTPErrorStatusBecomesAnErrorResponseWithTheStatus() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await handshake(transport, server, sink)
        transport.send(StubMessages.call(id: 2, tool: "fail503"))
        _ = await sink.wait { $0.messages.count == 2 }
        let error = try XCTUnwrap(StubMessages.error(in: try XCTUnwrap(sink.messages.dropFirst().first)))
        XCTAssertEqual(error.id, .number(2))
        XCTAssertEqual(error.code, -32000)
        let text = error.message ?? ""
        XCTAssertTrue(text.contains("503") && text.contains(server.url) && text.contains("tools/call"), text)
        await transport.close()
        await server.stop()
    }

    func testRequestWithoutAnswerTimesOutWithAnErrorResponse() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url, timeout: .milliseconds(700))
        let sink = FrameCollector()
        try await handshake(transport, server, sink)
        let started = ContinuousClock.now
        transport.send(StubMessages.call(id: 2, tool: "hang"))
        let answered = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(answered)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        let error = try XCTUnwrap(StubMessages.error(in: try XCTUnwrap(sink.messages.dropFirst().first)))
        XCTAssertEqual(error.id, .number(2))
        XCTAssertTrue(error.message?.contains("did not answer") == true, error.message ?? "")
        await transport.close()
        await server.stop()
    }

    func testOversizedResponseIsReportedAndTheRequestFails() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport(server.url, maxBytes: 1000)
        let sink = FrameCollector()
        try await handshake(transport, server, sink)
        transport.send(StubMessages.call(id: 2, tool: "big"))
        _ = await sink.wait { $0.messages.count == 2 }
        XCTAssertEqual(sink.oversizedCounts.count, 1)
        XCTAssertGreaterThan(sink.oversizedCounts.first ?? 0, 4000)
        let error = try XCTUnwrap(StubMessages.error(in: try XCTUnwrap(sink.messages.dropFirst().first)))
        XCTAssertEqual(error.id, .number(2))
        XCTAssertTrue(error.message?.contains("limit") == true, error.message ?? "")
        await transport.close()
        await server.stop()
    }

    func testSendBeforeStartIsRefusedAndAWebSocketURLIsRejected() async throws {
        let idle = transport("http://127.0.0.1:1/mcp")
        XCTAssertFalse(idle.send(StubMessages.initialize(id: 1)))
        await idle.close()
        let wrong = transport("ws://127.0.0.1:1/mcp")
        do {
            try await wrong.start(sink: FrameCollector())
            XCTFail("start should reject a ws:// URL")
        } catch {
            XCTAssertTrue(error.message.contains("http"), error.message)
        }
    }
}
