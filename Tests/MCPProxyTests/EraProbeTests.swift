import JSONRPC
import MCPProxy
import NIOConcurrencyHelpers
import XCTest

/// The era probe (`protocolEra: auto`): what the proxy makes of each answer to its
/// `server/discover`, whatever the transport (over HTTP, a 4xx whose body is a JSON-RPC error
/// reaches the probe as that error).
final class EraProbeTests: XCTestCase {
    static let discoverResult = #"{"resultType":"complete","supportedVersions":["2026-07-28"],"capabilities":{"tools":{}},"ttlMs":0,"cacheScope":"private","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"m","version":"1"}}}"#

    /// The upstreams probed, with a short probe timeout.
    static let probing: ProxyHarness.ProxyFactory = { definitions, options, logger in
        MCPProxy(upstreams: definitions.map { definition in
            var definition = definition
            definition.era = .probe(probeTimeout: .seconds(2))
            return definition
        }, options: options, logger: logger)
    }

    /// Answers each `server/discover` with the next of `replies` (raw `error` or `result` members).
    func answering(_ upstream: FakeUpstream, _ replies: [String]) {
        upstream.on("server/discover") { request, count in
            guard let id = request.id, count <= replies.count else { return .none }
            upstream.send(#"{"jsonrpc":"2.0","id":\#(id.text),\#(replies[count - 1])}"#)
            return .none
        }
    }

    func testUnsupportedVersionNamingOnlyOthersFailsTheUpstream() async throws {
        let upstream = FakeUpstream("m")
        upstream.setTools(["echo"])
        answering(upstream, [#""error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2030-01-01"],"requested":"2026-07-28"}}"#])
        try await withProxy([upstream], make: Self.probing) { harness in
            try await harness.initialize()
            let tools = try await harness.request("tools/list")
            XCTAssertEqual(tools.result?["tools"]?.arrayValue.count, 0, tools.raw)
            XCTAssertTrue(upstream.received("initialize").isEmpty, "a modern server that speaks other versions gets no initialize")
        }
    }

    func testUnsupportedVersionNamingAHandshakeVersionGetsInitialize() async throws {
        let upstream = FakeUpstream("d")
        upstream.setTools(["echo"])
        answering(upstream, [#""error":{"code":-32022,"message":"no","data":{"supported":["2025-11-25"],"requested":"2026-07-28"}}"#])
        try await withProxy([upstream], make: Self.probing) { harness in
            try await harness.initialize()
            let tools = try await harness.request("tools/list")
            XCTAssertEqual(tools.result?["tools"]?.arrayValue.first?["name"]?.stringValue, "d__echo", tools.raw)
            let initialize = try XCTUnwrap(upstream.received("initialize").first)
            XCTAssertNil(initialize.params?["_meta"], initialize.raw)
        }
    }

    func testUnsupportedVersionNamingOursAsksOnceMore() async throws {
        let upstream = FakeUpstream("m")
        upstream.setTools(["echo"])
        answering(upstream, [
            #""error":{"code":-32022,"message":"try again","data":{"supported":["2026-07-28"],"requested":"2026-07-28"}}"#,
            #""result":\#(Self.discoverResult)"#,
        ])
        try await withProxy([upstream], make: Self.probing) { harness in
            try await harness.initialize()
            let tools = try await harness.request("tools/list")
            XCTAssertEqual(tools.result?["tools"]?.arrayValue.first?["name"]?.stringValue, "m__echo", tools.raw)
            XCTAssertEqual(upstream.received("server/discover").count, 2)
            XCTAssertTrue(upstream.received("initialize").isEmpty)
            let list = try XCTUnwrap(upstream.received("tools/list").first)
            XCTAssertEqual(list.params?["_meta"]?["io.modelcontextprotocol/protocolVersion"]?.stringValue, "2026-07-28", list.raw)
        }
    }

    /// Not keyed to one code: -32601, -32600 (example-server over HTTP), a -32000 transport
    /// failure (a 4xx without a JSON-RPC body) all mean a handshake-era server.
    func testAnyOtherErrorMeansTheHandshakeEra() async throws {
        for error in [#"{"code":-32601,"message":"Method not found"}"#, #"{"code":-32600,"message":"bad version header"}"#,
                      #"{"code":-32000,"message":"answered HTTP 405"}"#] {
            let upstream = FakeUpstream("h")
            upstream.setTools(["echo"])
            answering(upstream, [#""error":\#(error)"#])
            try await withProxy([upstream], make: Self.probing) { harness in
                try await harness.initialize()
                let tools = try await harness.request("tools/list")
                XCTAssertEqual(tools.result?["tools"]?.arrayValue.first?["name"]?.stringValue, "h__echo", "\(error): \(tools.raw)")
                XCTAssertEqual(upstream.received("initialize").count, 1, error)
                let list = try XCTUnwrap(upstream.received("tools/list").first)
                XCTAssertNil(list.params?["_meta"], list.raw)
            }
        }
    }

    /// With a memo (the gateway's Streamable HTTP upstreams: the era is cached per origin), a
    /// handshake-era verdict spares later connections the probe until an `initialize` fails.
    func testAMemoSparesLaterConnectionsTheProbeUntilInitializeFails() async throws {
        let upstream = FakeUpstream("h")
        upstream.setTools(["echo"])
        let failing = NIOLockedValueBox(false)
        upstream.on("initialize") { _, _ in
            failing.withLockedValue { $0 }
                ? .error(code: -32603, message: "not today")
                : .result(#"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"h","version":"1"}}"#)
        }
        let memo = UpstreamEraMemo()
        let remembering: ProxyHarness.ProxyFactory = { definitions, options, logger in
            MCPProxy(upstreams: definitions.map { definition in
                var definition = definition
                definition.era = .probe(probeTimeout: .seconds(2))
                definition.eraMemo = memo
                return definition
            }, options: options, logger: logger)
        }
        try await withProxy([upstream], make: remembering) { first in
            try await first.initialize()
            _ = try await first.request("tools/list")
            XCTAssertEqual(upstream.received("server/discover").count, 1)

            let second = try await first.anotherClient()
            try await second.initialize()
            let tools = try await second.request("tools/list")
            XCTAssertEqual(tools.result?["tools"]?.arrayValue.first?["name"]?.stringValue, "h__echo", tools.raw)
            XCTAssertEqual(upstream.received("server/discover").count, 1, "the second connection was not to probe")
            XCTAssertEqual(upstream.received("initialize").count, 2)
            _ = await second.stop()

            failing.withLockedValue { $0 = true }
            let third = try await first.anotherClient()
            try await third.initialize()
            _ = try await third.request("tools/list")
            XCTAssertEqual(upstream.received("initialize").count, 3)
            XCTAssertEqual(upstream.received("server/discover").count, 1)
            _ = await third.stop()

            failing.withLockedValue { $0 = false }
            let fourth = try await first.anotherClient()
            try await fourth.initialize()
            _ = try await fourth.request("tools/list")
            XCTAssertEqual(upstream.received("server/discover").count, 2, "after a failed initialize the next connection probes again")
            _ = await fourth.stop()
        }
    }
}
