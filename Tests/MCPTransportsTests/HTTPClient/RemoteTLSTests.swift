import Foundation
import Logging
@testable import MCPTransports
import NIOCore
import XCTest

/// https and wss upstreams with a custom CA and client certificates.
final class RemoteTLSTests: XCTestCase {
    private let logger = Logger(label: "test")
    private var files: (directory: URL, ca: String, clientCertificate: String, clientKey: String)?

    override func setUpWithError() throws {
        files = try StubCertificates.writeFiles()
    }

    override func tearDownWithError() throws {
        if let directory = files?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func streamable(_ url: String, tls: TLSClientSettings?) -> StreamableHTTPClientTransport {
        StreamableHTTPClientTransport(
            name: "tls",
            configuration: RemoteUpstreamConfiguration(url: url, kind: .streamableHTTP, tls: tls, requestTimeout: .seconds(10), connectTimeout: .seconds(2)),
            logger: logger)
    }

    private func initializeAnswer(_ transport: StreamableHTTPClientTransport) async throws -> String {
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(StubMessages.initialize(id: 1))
        _ = await sink.wait { $0.messages.count == 1 }
        await transport.close()
        return try XCTUnwrap(sink.messages.first)
    }

    func testHTTPSWithCustomCAAndClientCertificate() async throws {
        let files = try XCTUnwrap(files)
        let server = try await StubMCPServer.start(tls: try StubCertificates.serverContext(requireClientCertificate: true))
        XCTAssertTrue(server.url.hasPrefix("https://"))
        let settings = TLSClientSettings(caCertificatePath: files.ca, clientCertificatePath: files.clientCertificate, clientKeyPath: files.clientKey)
        let answer = try await initializeAnswer(streamable(server.url, tls: settings))
        XCTAssertEqual(answer, StubMCPServer.response(id: "1", method: "initialize"))
        XCTAssertEqual(server.records("initialize").count, 1)
        await server.stop()
    }

    func testHTTPSWithoutTheClientCertificateIsRefused() async throws {
        let files = try XCTUnwrap(files)
        let server = try await StubMCPServer.start(tls: try StubCertificates.serverContext(requireClientCertificate: true))
        let answer = try await initializeAnswer(streamable(server.url, tls: TLSClientSettings(caCertificatePath: files.ca)))
        let error = try XCTUnwrap(StubMessages.error(in: answer))
        XCTAssertEqual(error.code, -32000)
        XCTAssertEqual(server.records("initialize").count, 0)
        await server.stop()
    }

    func testHTTPSWithoutTheCustomCAFailsVerification() async throws {
        let server = try await StubMCPServer.start(tls: try StubCertificates.serverContext(requireClientCertificate: false))
        let answer = try await initializeAnswer(streamable(server.url, tls: nil))
        let error = try XCTUnwrap(StubMessages.error(in: answer))
        XCTAssertEqual(error.id, .number(1))
        XCTAssertTrue(error.message?.contains(server.url) == true, error.message ?? "")
        XCTAssertEqual(server.records("initialize").count, 0)
        await server.stop()
    }

    func testWSSWithCustomCA() async throws {
        let files = try XCTUnwrap(files)
        let server = try await StubWebSocketServer.start(tls: try StubCertificates.serverContext(requireClientCertificate: false))
        let transport = WebSocketClientTransport(
            name: "wss",
            configuration: RemoteUpstreamConfiguration(
                url: server.url, kind: .webSocket, tls: TLSClientSettings(caCertificatePath: files.ca), connectTimeout: .seconds(2)),
            logger: logger)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(StubMessages.initialize(id: 1))
        let answered = await sink.wait { $0.messages.count == 1 }
        XCTAssertTrue(answered)
        XCTAssertEqual(sink.messages, [StubMCPServer.response(id: "1", method: "initialize")])
        await transport.close()
        await server.stop()
    }

    func testWSSWithoutTheCustomCAFailsToStart() async throws {
        let server = try await StubWebSocketServer.start(tls: try StubCertificates.serverContext(requireClientCertificate: false))
        let transport = WebSocketClientTransport(
            name: "wss", configuration: RemoteUpstreamConfiguration(url: server.url, kind: .webSocket, connectTimeout: .seconds(2)),
            logger: logger)
        do {
            try await transport.start(sink: FrameCollector())
            XCTFail("the server's certificate must not verify against the system trust store")
        } catch {
            XCTAssertTrue(error.message.contains(server.url), error.message)
        }
        await server.stop()
    }

    func testUnreadableOrIncompleteSettingsAreExplained() throws {
        let files = try XCTUnwrap(files)
        XCTAssertThrowsError(try TLSClientSettings(caCertificatePath: "/nonexistent/ca.pem").makeTLSConfiguration()) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/ca.pem"), "\(error)")
        }
        XCTAssertThrowsError(try TLSClientSettings(clientCertificatePath: files.clientCertificate).makeTLSConfiguration()) { error in
            XCTAssertTrue("\(error)".contains("clientKeyPath"), "\(error)")
        }
        XCTAssertThrowsError(try TLSClientSettings(clientKeyPath: files.clientKey).makeTLSConfiguration()) { error in
            XCTAssertTrue("\(error)".contains("clientCertificatePath"), "\(error)")
        }
        XCTAssertThrowsError(try TLSClientSettings(caCertificatePath: files.clientKey).makeTLSConfiguration())
        XCTAssertNoThrow(try TLSClientSettings(
            caCertificatePath: files.ca, clientCertificatePath: files.clientCertificate, clientKeyPath: files.clientKey
        ).makeTLSConfiguration())
    }
}
