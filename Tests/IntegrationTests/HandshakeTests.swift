import JSONRPC
import XCTest

/// Test 1: the client's handshake against two real upstreams.
final class HandshakeTests: ProxyTestCase {
    func testHandshakeMergesCapabilitiesAndNamesBothUpstreamsInInstructions() async throws {
        let proxy = try startProxy(.alphaBeta(proxy: [#"name: "itest-proxy""#, #"version: "9.9.9""#, #"instructions: "Read this first.""#]))
        let response = try await proxy.initialize(version: "2024-11-05")
        let result = try XCTUnwrap(response.result, response.line)

        XCTAssertEqual(result["protocolVersion"], .string("2024-11-05"), "a supported version is answered with itself")
        XCTAssertEqual(result["serverInfo"], json(#"{"name":"itest-proxy","version":"9.9.9"}"#))
        XCTAssertEqual(result["capabilities"], json(#"""
            {"tools":{"listChanged":true},"prompts":{"listChanged":true},
             "resources":{"listChanged":true,"subscribe":true},"logging":{},"completions":{}}
            """#))
        XCTAssertEqual(result["instructions"]?.stringValue, """
            Read this first.

            ## alpha
            \(Self.exampleInstructions("alpha"))

            ## beta
            \(Self.exampleInstructions("beta"))
            """)

        // A second initialize in the same session is refused, and the session goes on.
        let again = try await proxy.call("initialize", params: #"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}"#, id: #""again""#)
        XCTAssertEqual(again.errorCode, -32600, again.line)
        XCTAssertEqual(again.idText, #""again""#)
        try await assertStillServing(proxy, after: "a second initialize")
    }

    func testUnknownVersionIsAnsweredWithTheNewestSupported() async throws {
        let proxy = try startProxy(.alphaBeta())
        let response = try await proxy.initialize(version: "1999-01-01")
        let result = try XCTUnwrap(response.result, response.line)
        XCTAssertEqual(result["protocolVersion"], .string("2025-11-25"))
        XCTAssertEqual(result["serverInfo"], json(#"{"name":"mcp-proxy","version":"0.1.0"}"#), "defaults when the config sets none")
        XCTAssertEqual(result["instructions"]?.stringValue,
                       "## alpha\n\(Self.exampleInstructions("alpha"))\n\n## beta\n\(Self.exampleInstructions("beta"))")
    }
}
