import Foundation
import MCPTransports
import XCTest

final class WebSocketFrontTests: XCTestCase {
    private func upgrade(_ client: RawHTTPClient, headers: [String: String] = [:]) async throws -> TestResponse {
        var text = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        try await client.write(text + "\r\n")
        return try await client.readHead()
    }

    func testRoundTripPingFragmentsAndClose() async throws {
        let front = try await FrontFixture.start()
        let client = try await front.client()
        let head = try await upgrade(client, headers: ["Sec-WebSocket-Protocol": "mcp"])
        XCTAssertEqual(head.status, 101)
        XCTAssertEqual(head.header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        XCTAssertEqual(head.header("sec-websocket-protocol"), "mcp")

        try await client.sendFrame(opcode: 0x1, payload: Array(FrontFixture.initializeBody.utf8))
        let answer = try await client.readFrame()
        XCTAssertEqual(answer.opcode, 0x1)
        XCTAssertTrue(answer.fin)
        XCTAssertTrue(answer.text.contains(#""protocolVersion""#), answer.text)
        let session = try await front.proxy.session()
        XCTAssertEqual(session.front.kind, .webSocket)
        XCTAssertEqual(session.front.service, "sockets")

        try await client.sendFrame(opcode: 0x9, payload: Array("are you there".utf8))
        let pong = try await client.readFrame()
        XCTAssertEqual(pong.opcode, 0xA)
        XCTAssertEqual(pong.text, "are you there")

        let call = Array(toolCall(id: 2, name: "echo").utf8)
        try await client.sendFrame(opcode: 0x1, payload: Array(call[..<10]), fin: false)
        try await client.sendFrame(opcode: 0x0, payload: Array(call[10...]), fin: true)
        let echoed = try await client.readFrame()
        XCTAssertTrue(echoed.text.contains(#""id":2"#), echoed.text)

        XCTAssertTrue(session.transport.send(EchoSession.logMessage("pushed")))
        let pushed = try await client.readFrame()
        XCTAssertTrue(pushed.text.contains("pushed"))

        try await client.sendFrame(opcode: 0x8, payload: [0x03, 0xE8])
        let close = try await client.readFrame()
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(close.payload, [0x03, 0xE8])
        let closed = await client.waitUntilClosed()
        XCTAssertTrue(closed)
        let ended = await session.wait { $0.closeReason != nil }
        XCTAssertTrue(ended)
        XCTAssertEqual(session.closeReason, .endOfStream)
        XCTAssertEqual(front.server.sessionCount, 0)
        await front.stop()
    }

    func testOversizedFrameClosesWith1009() async throws {
        let front = try await FrontFixture.start { $0.maxBodyBytes = 1024 }
        let client = try await front.client()
        let head = try await upgrade(client)
        XCTAssertEqual(head.status, 101)
        XCTAssertNil(head.header("sec-websocket-protocol"), "no subprotocol offered, none chosen")
        try await client.sendFrame(opcode: 0x1, payload: Array(repeating: UInt8(ascii: "a"), count: 2000))
        let close = try await client.readFrame()
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(Array(close.payload.prefix(2)), [0x03, 0xF1], "1009: message too big")
        await front.stop()
    }

    func testOversizedFragmentedMessageClosesWith1009() async throws {
        let front = try await FrontFixture.start { $0.maxBodyBytes = 1024 }
        let client = try await front.client()
        _ = try await upgrade(client)
        let part = Array(repeating: UInt8(ascii: "a"), count: 700)
        try await client.sendFrame(opcode: 0x1, payload: part, fin: false)
        try await client.sendFrame(opcode: 0x0, payload: part, fin: true)
        let close = try await client.readFrame()
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(Array(close.payload.prefix(2)), [0x03, 0xF1])
        await front.stop()
    }

    func testUpgradeRefusals() async throws {
        let front = try await FrontFixture.start()
        let wrongProtocol = try await front.client()
        let refused = try await upgrade(wrongProtocol, headers: ["Sec-WebSocket-Protocol": "graphql-ws"])
        XCTAssertEqual(refused.status, 400)
        let foreign = try await front.client()
        let forbidden = try await upgrade(foreign, headers: ["Origin": "https://evil.example"])
        XCTAssertEqual(forbidden.status, 403)
        let plain = try await front.client().request("GET", "/ws")
        XCTAssertEqual(plain.status, 426)
        XCTAssertEqual(front.proxy.count, 0)
        await front.stop()
    }
}
