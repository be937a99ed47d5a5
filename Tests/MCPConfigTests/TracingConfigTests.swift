import XCTest
@testable import MCPConfig

/// `proxy.tracing` and `proxy.admin.token`.
final class TracingConfigTests: XCTestCase {
    private func problems(_ text: String) -> [String] {
        do {
            _ = try ConfigLoader.load(text: text, sourceName: "t.yaml", environment: [:])
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    func testTracingSection() throws {
        let none = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }"))
        XCTAssertNil(none.proxy.tracing)
        let full = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          tracing: { otlpEndpoint: "http://collector:4318/v1/traces", sampleRatio: 0.01, serviceName: gw }
        """))
        var expected = TracingSettings(otlpEndpoint: "http://collector:4318/v1/traces")
        expected.sampleRatio = 0.01
        expected.serviceName = "gw"
        XCTAssertEqual(full.proxy.tracing, expected)
        let defaults = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }\nproxy: { tracing: { otlpEndpoint: \"https://c/v1/traces\", sampleRatio: 1 } }"))
        XCTAssertEqual(defaults.proxy.tracing?.serviceName, "mcp-proxy")
        XCTAssertEqual(defaults.proxy.tracing?.sampleRatio, 1)
    }

    func testTracingProblemsAreNamed() {
        XCTAssertTrue(problems("mcpServers: { a: { command: x } }\nproxy: { tracing: { sampleRatio: 1 } }")
            .contains { $0.contains("proxy.tracing") && $0.contains("otlpEndpoint is required") })
        XCTAssertTrue(problems("mcpServers: { a: { command: x } }\nproxy: { tracing: { otlpEndpoint: \"grpc://c:4317\" } }")
            .contains { $0.contains("proxy.tracing.otlpEndpoint") && $0.contains("http://") })
        XCTAssertTrue(problems("mcpServers: { a: { command: x } }\nproxy: { tracing: { otlpEndpoint: \"http://c\", sampleRatio: 2 } }")
            .contains { $0.contains("proxy.tracing.sampleRatio") && $0.contains("0 to 1") })
        XCTAssertTrue(problems("mcpServers: { a: { command: x } }\nproxy: { tracing: { otlpEndpoint: \"http://c\", ratio: 0.5 } }")
            .contains { $0.contains("sampleRatio") }, "a near miss gets a hint")
    }

    func testAdminToken() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }\nproxy: { admin: { port: 0, token: \"${T}\" } }",
                                              env: ["T": "0123456789abcdef0123"]))
        XCTAssertEqual(config.proxy.admin?.token, "0123456789abcdef0123")
        XCTAssertTrue(problems("mcpServers: { a: { command: x } }\nproxy: { admin: { token: short } }")
            .contains { $0.contains("proxy.admin.token") && $0.contains("at least 16") })
    }
}
