import Foundation
import MCPTransports
import XCTest

final class TLSFrontTests: XCTestCase {
    func testStreamableHTTPOverTLS() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let front = try await FrontFixture.start(clientTLS: try certificates.clientContext(presentingClientCertificate: false)) {
            $0.tls = TLSServerSettings(certificatePath: certificates.serverCertificate, privateKeyPath: certificates.serverKey)
        }
        let (client, id) = try await front.initialize()
        let response = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "notify-first"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.text.contains(#""id":2"#), response.text)

        // Plain HTTP on the TLS port gets no HTTP answer.
        let plain = try await RawHTTPClient.connect(port: front.port)
        try await plain.send("POST", "/mcp", body: FrontFixture.initializeBody)
        let refused = try? await plain.readResponse(timeout: .seconds(3))
        XCTAssertNil(refused)
        XCTAssertEqual(front.proxy.count, 1)
        await front.stop()
    }

    func testMutualTLSRequiresAClientCertificateSignedByTheCA() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let front = try await FrontFixture.start(clientTLS: try certificates.clientContext(presentingClientCertificate: true)) {
            $0.tls = TLSServerSettings(
                certificatePath: certificates.serverCertificate, privateKeyPath: certificates.serverKey, clientCAPath: certificates.authority)
        }
        let (client, _) = try await front.initialize()
        await client.close()

        let anonymous = try await RawHTTPClient.connect(port: front.port, tls: try certificates.clientContext(presentingClientCertificate: false))
        try? await anonymous.send("POST", "/mcp", body: FrontFixture.initializeBody)
        let refused = try? await anonymous.readResponse(timeout: .seconds(3))
        XCTAssertNil(refused, "a client without a certificate must not get an answer")
        XCTAssertEqual(front.proxy.count, 1)
        await front.stop()
    }

    func testUnreadableCertificateFailsStartWithAClearError() async throws {
        var configuration = HTTPFrontConfiguration(endpoints: [HTTPEndpoint(path: "/mcp", kind: .streamableHTTP, service: "main")], port: 0)
        configuration.tls = TLSServerSettings(certificatePath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem")
        let server = HTTPFrontServer(configuration: configuration, logger: .init(label: "test"))
        do {
            _ = try await server.start { _ in }
            XCTFail("start must fail")
        } catch {
            XCTAssertTrue(error.message.contains("/nonexistent/cert.pem"), error.message)
        }
    }
}
