import XCTest
@testable import MCPConfig

final class NetworkSettingsTests: XCTestCase {
    func testListenAndAdminDefaultsAndOverrides() throws {
        let defaults = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }"))
        XCTAssertEqual(defaults.proxy.listen, ListenSettings())
        XCTAssertEqual(defaults.proxy.listen.host, "127.0.0.1")
        XCTAssertEqual(defaults.proxy.listen.path, "/mcp")
        XCTAssertNil(defaults.proxy.admin)

        let config = try XCTUnwrap(loadConfig("""
        mcpServers:
          a: { command: x }
          r: { url: "https://example.com/mcp", tls: { ca: /etc/ca.pem, certificate: /c.pem, privateKey: /k.pem } }
        proxy:
          listen:
            host: 0.0.0.0
            port: 8443
            path: /gateway
            namedServers: true
            allowedOrigins: ["https://app.example.com"]
            maxBodyBytes: 1000
            sessionIdleTimeoutSeconds: 30
            tls: { certificate: /s.pem, privateKey: /s.key, ca: /clients.pem }
          admin: { port: 9091 }
        """))
        let listen = config.proxy.listen
        XCTAssertEqual(listen.host, "0.0.0.0")
        XCTAssertEqual(listen.port, 8443)
        XCTAssertEqual(listen.path, "/gateway")
        XCTAssertTrue(listen.namedServers)
        XCTAssertEqual(listen.allowedOrigins, ["https://app.example.com"])
        XCTAssertEqual(listen.maxBodyBytes, 1000)
        XCTAssertEqual(listen.sessionIdleTimeoutSeconds, 30)
        XCTAssertEqual(listen.tls, TLSFileSettings(certificate: "/s.pem", privateKey: "/s.key", ca: "/clients.pem"))
        XCTAssertEqual(config.proxy.admin?.port, 9091)
        XCTAssertEqual(config.proxy.admin?.host, "127.0.0.1")
        XCTAssertEqual(config.server(named: "r")?.tls, TLSFileSettings(certificate: "/c.pem", privateKey: "/k.pem", ca: "/etc/ca.pem"))
    }

    func testEveryNetworkProblemIsReportedWithItsKeyPath() {
        let problems = configProblems("""
        mcpServers:
          a: { command: x }
          r: { url: "https://example.com/mcp", tls: { certificate: /c.pem } }
        proxy:
          listen: { path: mcp, port: -1, tls: { ca: /x.pem }, bogus: 1 }
          admin: { port: abc }
        """)
        XCTAssertFalse(problems.at("proxy.listen.path").isEmpty)
        XCTAssertFalse(problems.at("proxy.listen.port").isEmpty)
        XCTAssertFalse(problems.at("proxy.listen.tls").isEmpty, "a server TLS section needs certificate and key")
        XCTAssertFalse(problems.at("proxy.listen.bogus").isEmpty)
        XCTAssertFalse(problems.at("proxy.admin.port").isEmpty)
        XCTAssertFalse(problems.at("mcpServers.r.tls").isEmpty, "a client certificate needs its key")
    }
}
