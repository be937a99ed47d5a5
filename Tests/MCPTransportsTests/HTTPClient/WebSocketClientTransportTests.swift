import JSONRPC
import Logging
@testable import MCPTransports
import NIOCore
import NIOHTTP1
import NIOWebSocket
import XCTest

final class WebSocketClientTransportTests: XCTestCase {
    private let logger = Logger(label: "test")

    private func transport(_ url: String, tls: TLSClientSettings? = nil) -> WebSocketClientTransport {
        WebSocketClientTransport(
            name: "ws",
            configuration: RemoteUpstreamConfiguration(
                url: url, kind: .webSocket, headers: ["X-Api-Key": "k3"], tls: tls, connectTimeout: .seconds(2)),
            logger: logger)
    }

    func testMessagesTravelAsMaskedTextFramesAndPingsAreAnswered() async throws {
        let server = try await StubWebSocketServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        let head = try XCTUnwrap(server.upgradeHeads.first)
        XCTAssertEqual(head.uri, "/ws")
        XCTAssertEqual(head.headers.first(name: "sec-websocket-protocol"), "mcp")
        XCTAssertEqual(head.headers.first(name: "x-api-key"), "k3")
        XCTAssertEqual(head.headers.first(name: "host"), "127.0.0.1:\(server.port)")

        XCTAssertTrue(transport.send(StubMessages.initialize(id: 1)))
        XCTAssertTrue(transport.send(StubMessages.call(id: 2, tool: "fragmented")))
        let answered = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(answered)
        XCTAssertEqual(sink.messages, [
            StubMCPServer.response(id: "1", method: "initialize"),
            StubMCPServer.response(id: "2", method: "tools/call", tool: "fragmented"),
        ])
        let ponged = await pollUntil { server.frames.contains { $0.opcode == .pong } }
        XCTAssertTrue(ponged)
        let frames = server.frames
        XCTAssertEqual(frames.first { $0.opcode == .pong }?.text, "hb")
        XCTAssertEqual(frames.filter { $0.opcode == .text }.map(\.text), [
            String(buffer: StubMessages.initialize(id: 1)), String(buffer: StubMessages.call(id: 2, tool: "fragmented")),
        ])
        XCTAssertTrue(frames.allSatisfy(\.masked), "a client must mask every frame")

        await transport.close()
        XCTAssertEqual(sink.closeReason, .closedLocally)
        XCTAssertTrue(server.frames.contains { $0.opcode == .connectionClose })
        XCTAssertFalse(transport.send(StubMessages.call(id: 3, tool: "x")))
        await server.stop()
    }

    func testServerCloseEndsTheTransportAfterItsLastMessage() async throws {
        let server = try await StubWebSocketServer.start()
        let transport = transport(server.url)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(StubMessages.call(id: 5, tool: "bye"))
        let closed = await sink.wait { $0.closeReason != nil }
        XCTAssertTrue(closed)
        XCTAssertEqual(sink.messages, [StubMCPServer.response(id: "5", method: "tools/call", tool: "bye")])
        XCTAssertEqual(sink.closeReason, .endOfStream)
        let echoed = await pollUntil { server.frames.contains { $0.opcode == .connectionClose } }
        XCTAssertTrue(echoed, "the client answers a close frame")
        XCTAssertEqual(server.frames.first { $0.opcode == .connectionClose }?.masked, true)
        XCTAssertFalse(transport.send(StubMessages.call(id: 6, tool: "x")))
        await transport.close()
        XCTAssertEqual(sink.closeReason, .endOfStream)
        await server.stop()
    }

    func testRefusedUpgradeFailsStart() async throws {
        let server = try await StubMCPServer.start()
        let transport = transport("ws://127.0.0.1:\(server.http.port)/mcp")
        do {
            try await transport.start(sink: FrameCollector())
            XCTFail("start should fail without an upgrade")
        } catch {
            XCTAssertTrue(error.message.contains("did not accept the WebSocket upgrade"), error.message)
        }
        await server.stop()
    }

    func testUnreachableServerFailsStart() async throws {
        let port = try await unusedLocalPort()
        let transport = transport("ws://127.0.0.1:\(port)/ws")
        do {
            try await transport.start(sink: FrameCollector())
            XCTFail("start should fail")
        } catch {
            XCTAssertTrue(error.message.contains("ws://127.0.0.1:\(port)/ws"), error.message)
        }
    }
}
