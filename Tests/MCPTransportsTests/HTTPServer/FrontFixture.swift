import Logging
import MCPTransports
import NIOSSL
import XCTest

/// A running front on 127.0.0.1 (ephemeral port) with the echo proxy behind it, serving
/// `/mcp` (Streamable HTTP), `/sse` + `/messages` (HTTP+SSE) and `/ws` (WebSocket).
struct FrontFixture {
    let server: HTTPFrontServer
    let proxy: EchoProxy
    let port: Int
    let clientTLS: NIOSSLContext?

    static let initializeBody =
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#

    static func start(
        clientTLS: NIOSSLContext? = nil, _ configure: (inout HTTPFrontConfiguration) -> Void = { _ in }
    ) async throws -> FrontFixture {
        var configuration = HTTPFrontConfiguration(endpoints: [
            HTTPEndpoint(path: "/mcp", kind: .streamableHTTP, service: "main"),
            HTTPEndpoint(path: "/sse", kind: .legacySSE(messagesPath: "/messages"), service: "legacy"),
            HTTPEndpoint(path: "/ws", kind: .webSocket, service: "sockets"),
        ])
        configuration.port = 0
        configure(&configuration)
        var logger = Logger(label: "http-front-test")
        logger.logLevel = .notice
        let server = HTTPFrontServer(configuration: configuration, logger: logger)
        let proxy = EchoProxy()
        let address = try await server.start(onSession: proxy.onSession)
        return FrontFixture(server: server, proxy: proxy, port: address.port, clientTLS: clientTLS)
    }

    func client(autoRead: Bool = true, receiveBufferBytes: Int? = nil) async throws -> RawHTTPClient {
        try await RawHTTPClient.connect(port: port, tls: clientTLS, autoRead: autoRead, receiveBufferBytes: receiveBufferBytes)
    }

    /// Initializes a Streamable HTTP session; returns the client and the session id.
    func initialize(version: String = "2025-11-25") async throws -> (RawHTTPClient, String) {
        let client = try await client()
        let body = FrontFixture.initializeBody.replacingOccurrences(of: "2025-11-25", with: version)
        let response = try await client.request("POST", "/mcp", body: body)
        XCTAssertEqual(response.status, 200, response.text)
        let id = try XCTUnwrap(response.header("mcp-session-id"), "initialize must return Mcp-Session-Id")
        return (client, id)
    }

    func stop() async {
        await server.shutdown(grace: .milliseconds(50))
    }
}

/// A `tools/call` request body.
func toolCall(id: Int, name: String, progressToken: String? = nil) -> String {
    let meta = progressToken.map { #","_meta":{"progressToken":"\#($0)"}"# } ?? ""
    return #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":{}\#(meta)}}"#
}
