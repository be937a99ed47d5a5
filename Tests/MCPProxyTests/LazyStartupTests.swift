import JSONRPC
import MCPProxy
import XCTest

/// Upstreams started on first use.
final class LazyStartupTests: XCTestCase {
    func testLazyUpstreamStartsOnFirstList() async throws {
        let eager = FakeUpstream("eager")
        eager.setTools(["e"])
        let lazy = FakeUpstream("lazy", startup: .lazy)
        lazy.setTools(["l"])
        try await withProxy([eager, lazy]) { harness in
            let initialized = try await harness.initialize()
            XCTAssertEqual(eager.transportsMade, 1)
            XCTAssertEqual(lazy.transportsMade, 0, "a lazy upstream must not start before it is needed")
            XCTAssertNotNil(initialized.result?["capabilities"]?["tools"], "tools may come from the lazy upstream: \(initialized.raw)")
            _ = try await harness.request("ping")
            XCTAssertEqual(lazy.transportsMade, 0)

            let names = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names, ["eager__e", "lazy__l"])
            XCTAssertEqual(lazy.transportsMade, 1)
            XCTAssertEqual(lazy.received("initialize").count, 1)

            _ = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(lazy.transportsMade, 1, "started once")
        }
    }

    func testLazyUpstreamStartsOnFirstCallToItsTool() async throws {
        let lazy = FakeUpstream("lazy", startup: .lazy)
        lazy.setTools(["l"])
        lazy.on("tools/call") { _, _ in .result(#"{"content":[]}"#) }
        try await withProxy([lazy]) { harness in
            try await harness.initialize()
            XCTAssertEqual(lazy.transportsMade, 0)
            let response = try await harness.request("tools/call", params: #"{"name":"lazy__l","arguments":{}}"#)
            XCTAssertNotNil(response.result, response.raw)
            XCTAssertEqual(lazy.transportsMade, 1)
        }
    }
}
