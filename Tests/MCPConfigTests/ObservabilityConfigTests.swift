import XCTest
@testable import MCPConfig

/// `proxy.metrics` and `proxy.accessLog`.
final class ObservabilityConfigTests: XCTestCase {
    func testDefaultsAreOff() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }"))
        XCTAssertEqual(config.proxy.metrics, MetricsSettings(swiftMetrics: false, exportIntervalSeconds: 5))
        XCTAssertNil(config.proxy.accessLog)
    }

    func testMetricsSection() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          metrics: { swiftMetrics: true, exportIntervalSeconds: 2.5 }
        """))
        XCTAssertEqual(config.proxy.metrics, MetricsSettings(swiftMetrics: true, exportIntervalSeconds: 2.5))
        let fromEnvironment = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy: { metrics: { swiftMetrics: "${EXPORT:-off}" } }
        """, env: ["EXPORT": "yes"]))
        XCTAssertTrue(fromEnvironment.proxy.metrics.swiftMetrics)
    }

    func testAccessLogForms() throws {
        let on = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }\nproxy: { accessLog: true }"))
        XCTAssertEqual(on.proxy.accessLog, AccessLogSettings(format: .text, destination: .stderr, include: .all))
        let off = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }\nproxy: { accessLog: false }"))
        XCTAssertNil(off.proxy.accessLog)
        let full = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          accessLog: { enabled: true, format: json, destination: /var/log/mcp/access.log, include: errors }
        """))
        XCTAssertEqual(full.proxy.accessLog, AccessLogSettings(format: .json, destination: .file("/var/log/mcp/access.log"), include: .errors))
        let section = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }\nproxy: { accessLog: { format: json } }"))
        XCTAssertEqual(section.proxy.accessLog?.format, .json, "a section without enabled is on")
        let disabled = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy: { accessLog: { enabled: "${ACCESS_LOG:-false}", format: json } }
        """))
        XCTAssertNil(disabled.proxy.accessLog)
    }

    func testProblemsNameTheKeyAndWhatIsExpected() {
        let problems = configProblems("""
        mcpServers: { a: { command: x } }
        proxy:
          metrics: { swiftMetrics: maybe, exportIntervalSeconds: 0, interval: 5 }
          accessLog: { format: xml, destination: stdout, include: some, file: /tmp/x }
        """)
        XCTAssertEqual(problems.at("proxy.metrics.swiftMetrics").count, 1, "\(problems)")
        XCTAssertEqual(problems.at("proxy.metrics.exportIntervalSeconds").count, 1, "\(problems)")
        XCTAssertTrue(problems.at("proxy.metrics.interval").first?.message.contains("exportIntervalSeconds") ?? false, "\(problems)")
        XCTAssertTrue(problems.at("proxy.accessLog.format").first?.message.contains("text, json") ?? false, "\(problems)")
        XCTAssertTrue(problems.at("proxy.accessLog.destination").first?.message.contains("stdout") ?? false, "\(problems)")
        XCTAssertTrue(problems.at("proxy.accessLog.include").first?.message.contains("all, errors") ?? false, "\(problems)")
        XCTAssertTrue(problems.at("proxy.accessLog.file").first?.message.contains("destination") ?? false, "\(problems)")
        let tooFast = configProblems("mcpServers: { a: { command: x } }\nproxy: { metrics: { exportIntervalSeconds: 0.001 } }")
        XCTAssertEqual(tooFast.at("proxy.metrics.exportIntervalSeconds").count, 1, "\(tooFast)")
    }
}
