import JSONRPC
import MCPProxy
import XCTest

/// 2026-07-28 logging is per request: a handshake-era upstream's `notifications/message`
/// reaches a 2026-07-28 client only during a request whose envelope asked for logs, at or above
/// the level it named.
final class ModernLogLevelTests: XCTestCase {
    static func call(logLevel: String?) -> String {
        let level = logLevel.map { #","io.modelcontextprotocol/logLevel":"\#($0)""# } ?? ""
        return #"{"name":"alpha__work","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}\#(level)}}"#
    }

    static func log(_ level: String) -> String {
        #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"\#(level)","data":"at \#(level)"}}"#
    }

    /// Sends a call; the upstream logs at every level, then answers. Returns the levels the client got.
    func levels(logLevel: String?, harness: ProxyHarness, alpha: FakeUpstream, id: Int) async throws -> [String] {
        let before = harness.client.received.count
        harness.client.push(ProxyHarness.requestText("tools/call", params: Self.call(logLevel: logLevel), id: "\(id)"))
        _ = try await alpha.waitForRequests("tools/call", count: id)
        let forwarded = try XCTUnwrap(alpha.received("tools/call").last)
        XCTAssertNil(forwarded.params?["_meta"], "a handshake-era upstream gets no envelope: \(forwarded.raw)")
        for level in ["debug", "info", "warning", "error"] { alpha.send(Self.log(level)) }
        alpha.send(#"{"jsonrpc":"2.0","id":\#(forwarded.id?.text ?? "0"),"result":{"content":[]}}"#)
        _ = try await harness.client.response(to: .int(Int64(id)), timeout: .seconds(5))
        return harness.client.received.dropFirst(before).filter { $0.method == "notifications/message" }.compactMap { $0.params?["level"]?.stringValue }
    }

    func testLogsFollowEachRequestsLevel() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["work"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            let warning = try await levels(logLevel: "warning", harness: harness, alpha: alpha, id: 1)
            XCTAssertEqual(warning, ["warning", "error"])
            let none = try await levels(logLevel: nil, harness: harness, alpha: alpha, id: 2)
            XCTAssertEqual(none, [], "a request without logLevel gets no log messages")
            let debug = try await levels(logLevel: "debug", harness: harness, alpha: alpha, id: 3)
            XCTAssertEqual(debug, ["debug", "info", "warning", "error"])
        }
    }
}
