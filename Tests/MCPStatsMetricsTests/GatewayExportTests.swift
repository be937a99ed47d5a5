import AsyncHTTPClient
import CoreMetrics
import Foundation
import Logging
import MCPConfig
import MCPGateway
import MetricsTestKit
import NIOCore
import XCTest

/// End to end: a process-wide swift-metrics backend (bootstrapped once, here only), a gateway
/// with `proxy.metrics.swiftMetrics: true` in front of a real `example-server`, real Streamable
/// HTTP requests, and the backend's series read back.
final class GatewayExportTests: XCTestCase {
    /// The backend of this test process; `MetricsSystem.bootstrap` may run once per process.
    static let backend: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()

    func testTheBootstrappedBackendSeesTheGatewaysSeriesAsTheAdminMetricsShowThem() async throws {
        let metrics = Self.backend
        let exampleServer = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ".")
            .deletingLastPathComponent().appendingPathComponent("example-server").path
        guard FileManager.default.isExecutableFile(atPath: exampleServer) else {
            throw XCTSkip("\(exampleServer) is missing; build with 'swift build --build-tests'")
        }
        let config = try ConfigLoader.load(text: """
        {"mcpServers":{"alpha":{"command":"\(exampleServer)","args":["--name","alpha"]}},
         "proxy":{"listen":{"host":"127.0.0.1","port":0},"metrics":{"swiftMetrics":true,"exportIntervalSeconds":0.05}}}
        """, sourceName: "<test>", environment: [:])
        let gateway = Gateway(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), endsAllChildren: false)
        let addresses = try await gateway.start(.network)
        let url = try XCTUnwrap(addresses.mcp)
        let client = MCPHTTPClient(url: url)
        do {
            try await client.initialize()
            for text in ["one", "two"] {
                let answer = try await client.call(#"{"jsonrpc":"2.0","id":"\#(text)","method":"tools/call","params":{"name":"alpha__echo","arguments":{"text":"\#(text)"}}}"#)
                XCTAssertTrue(answer.contains(#""text":"\#(text)""#), answer)
            }
            let unknown = try await client.call(#"{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"example://nope"}}"#)
            XCTAssertTrue(unknown.contains("-32002"), unknown)

            let labels = [("upstream", "alpha"), ("method", "tools/call"), ("tool", "echo")]
            try await eventually("both calls in the backend") {
                (try? metrics.expectCounter("mcp_proxy_requests_total", labels + [("outcome", "success")]).totalValue) == 2
            }
            XCTAssertEqual(try metrics.expectTimer("mcp_proxy_request_duration_seconds", labels).values.count, 2)
            let read = [("upstream", "alpha"), ("method", "resources/read"), ("tool", "")]
            try await eventually("the error by code") {
                (try? metrics.expectCounter("mcp_proxy_request_errors_total", read + [("code", "-32002")]).totalValue) == 1
            }
            XCTAssertGreaterThan(try metrics.expectGauge("mcp_proxy_front_connections_limit").lastValue ?? 0, 0,
                                 "front gauges are refreshed before each export")
            // The pool's gauges are set by the upstream's maintenance pass, which runs on its own
            // period: wait for the first pass after the session opened to reach an export.
            try await eventually("the upstream's session gauge") {
                (try? metrics.expectGauge("mcp_proxy_upstream_sessions", [("upstream", "alpha")]).lastValue) == 1
            }

            // Every counter and gauge of the admin /metrics, with the same labels and values.
            try await eventually("the backend to match /metrics") {
                Self.samples(gateway.prometheusText()).isSubset(of: Self.backendSamples(metrics))
            }
        } catch {
            await client.shutdown()
            await gateway.stop(grace: .seconds(1))
            throw error
        }
        await client.shutdown()
        await gateway.stop(grace: .seconds(1))
    }

    /// `name{labels} value` of every counter and gauge sample in Prometheus text.
    private static func samples(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("#") && !$0.contains("_bucket{") && !$0.contains("_sum{") && !$0.contains("_count{")
        })
    }

    /// The same for what the backend holds.
    private static func backendSamples(_ metrics: TestMetrics) -> Set<String> {
        func line(_ name: String, _ labels: [(String, String)], _ value: Int) -> String {
            labels.isEmpty ? "\(name) \(value)" : "\(name){\(labels.map { #"\#($0.0)="\#($0.1)""# }.joined(separator: ","))} \(value)"
        }
        var result = Set(metrics.counters.map { line($0.label, $0.dimensions, Int($0.totalValue)) })
        for recorder in metrics.recorders where !recorder.aggregate {
            result.insert(line(recorder.label, recorder.dimensions, Int(recorder.lastValue ?? -1)))
        }
        return result
    }
}

/// A minimal Streamable HTTP client: initialize, then requests on the session.
private final class MCPHTTPClient: Sendable {
    let url: String
    private let http = HTTPClient(eventLoopGroupProvider: .singleton)
    private let session = NIOLockedBox<String?>(nil)

    init(url: String) {
        self.url = url
    }

    func initialize() async throws {
        _ = try await call(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"metrics-test","version":"1"}}}"#)
        _ = try await call(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
    }

    /// POSTs `body`; the answer's body (JSON or an event stream).
    func call(_ body: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let id = session.value {
            request.headers.add(name: "Mcp-Session-Id", value: id)
            request.headers.add(name: "MCP-Protocol-Version", value: "2025-11-25")
        }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(15))
        if let id = response.headers.first(name: "mcp-session-id") { session.value = id }
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw MCPHTTPFailure(description: "HTTP \(response.status.code): \(String(buffer: bytes))")
        }
        return String(buffer: bytes)
    }

    func shutdown() async {
        try? await http.shutdown()
    }
}

private struct MCPHTTPFailure: Error, CustomStringConvertible {
    let description: String
}

/// A value behind a lock.
private final class NIOLockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
