import Foundation
import MCPTransports
import XCTest

/// Every client-facing front (stdio, Streamable HTTP, legacy SSE, WebSocket) against every
/// upstream transport (stdio, Streamable HTTP, legacy SSE, WebSocket): 16 echo round trips
/// through real processes, plus a sampling round trip across two HTTP hops.
final class TransportMatrixTests: NetworkTestCase {
    private static let upstreams = ["st", "h", "s", "w"]

    private func fourUpstreamConfig(example: ExampleHTTPServer) -> String {
        NetworkConfigText.make([
            .stdio(name: "st"),
            .remote(name: "h", url: example.base + "/mcp", type: nil),
            .remote(name: "s", url: example.base + "/sse", type: "sse"),
            .remote(name: "w", url: "ws://127.0.0.1:\(example.port)/ws", type: nil),
        ])
    }

    func testEveryFrontReachesEveryUpstream() async throws {
        let directory = try makeDirectory()
        let example = try await startExample("remote", in: directory)
        let config = fourUpstreamConfig(example: example)
        let serve = try await startServe(config, in: directory)
        let stdioConfig = try directory.write("stdio.yaml", config)

        let fronts: [(String, NetworkTestClient)] = [
            ("stdio", .stdio("front-stdio", configPath: stdioConfig)),
            ("streamable-http", .remote("front-http", url: serve.base + "/mcp", kind: .streamableHTTP)),
            ("legacy-sse", .remote("front-sse", url: serve.base + "/sse", kind: .legacySSE)),
            ("websocket", .remote("front-ws", url: "ws://127.0.0.1:\(serve.port)/ws", kind: .webSocket)),
        ]
        var exercised = 0
        for (front, unconnected) in fronts {
            let client: NetworkTestClient
            do {
                client = try await connect(unconnected)
            } catch {
                XCTFail("front \(front): could not initialize: \(error)\nserve log:\n\(serve.process.logTail)")
                continue
            }
            for upstream in Self.upstreams {
                let text = "hello \(front) -> \(upstream) ✓"
                do {
                    let response = try await client.callTool("\(upstream)__echo", arguments: #"{"text":"\#(text)"}"#)
                    XCTAssertEqual(response.toolText, text, "front \(front) -> upstream \(upstream): \(response.line)")
                    XCTAssertFalse(response.toolIsError, "front \(front) -> upstream \(upstream): \(response.line)")
                } catch {
                    XCTFail("front \(front) -> upstream \(upstream): \(error)\nserve log:\n\(serve.process.logTail)")
                }
                exercised += 1
            }
        }
        XCTAssertEqual(exercised, 16, "all 16 front/upstream pairs were exercised")
    }

    func testSamplingRoundTripOverHTTPFrontAndHTTPUpstream() async throws {
        let directory = try makeDirectory()
        let example = try await startExample("remote", in: directory)
        let serve = try await startServe(fourUpstreamConfig(example: example), in: directory)
        let client = try await connect(.remote("sampling-http", url: serve.base + "/mcp", kind: .streamableHTTP))
        let response = try await client.callTool("h__sample", arguments: #"{"prompt":"ping"}"#)
        XCTAssertEqual(response.toolText, "sampled: pong", "HTTP front -> HTTP upstream sampling: \(response.line)\nserve log:\n\(serve.process.logTail)")
        let asked = client.messages.filter { $0.method == "sampling/createMessage" }
        XCTAssertEqual(asked.count, 1, "the client was asked exactly once: \(asked)")
        XCTAssertEqual(asked.first?.params?["messages"]?.arrayValue?.first?["content"]?["text"]?.stringValue, "ping")
    }
}
