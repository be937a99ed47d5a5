import Foundation
import JSONRPC
import MCPTransports
import NIOConcurrencyHelpers
import Testing

/// The HTTP front's `Mcp-Param-*` check of 2026-07-28 `tools/call` POSTs, through the
/// ``HTTPFrontConfiguration/toolHeaderAnnotations`` seam, over a real socket to the echo proxy.
@Suite struct MCPParamFrontTests {
    /// The annotations of `where`: `region` → `Mcp-Param-Region`, `count` (integer) → `Mcp-Param-Count`.
    static let annotations = XMCPHeaderAnnotations(entries: [
        .init(path: ["region"], token: "Region", type: .string),
        .init(path: ["count"], token: "Count", type: .integer),
    ])

    /// Records what the front asked for.
    final class Lookups: Sendable {
        let asked = NIOLockedValueBox<[String]>([])
        var lookup: ToolHeaderAnnotationLookup {
            { [self] service, tool in
                asked.withLockedValue { $0.append("\(service)/\(tool)") }
                return tool == "where" ? MCPParamFrontTests.annotations : nil
            }
        }
    }

    static func call(_ id: Int, tool: String = "where", arguments: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments),"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#
    }

    static func headers(tool: String = "where", version: String = "2026-07-28", _ extra: [String: String?] = [:]) -> [String: String?] {
        var headers: [String: String?] = ["MCP-Protocol-Version": version, "Mcp-Method": "tools/call", "Mcp-Name": tool]
        for (name, value) in extra { headers[name] = value }
        return headers
    }

    func post(_ front: FrontFixture, _ body: String, _ headers: [String: String?]) async throws -> TestResponse {
        let client = try await front.client()
        defer { Task { await client.close() } }
        return try await client.request("POST", "/mcp", body: body, headers: headers)
    }

    @Test func matchingHeadersPassAndMismatchesAreRefusedWith32020() async throws {
        let lookups = Lookups()
        let front = try await FrontFixture.start { $0.toolHeaderAnnotations = lookups.lookup }
        defer { Task { await front.stop() } }

        let matching = try await post(front, Self.call(1, arguments: #"{"region":"us-west1","count":42}"#),
                                      Self.headers(["Mcp-Param-Region": "us-west1", "mcp-param-count": "42.0"]))
        #expect(matching.status == 200, "\(matching.text)")

        let base64 = try await post(front, Self.call(2, arguments: #"{"region":"Zürich"}"#),
                                    Self.headers(["Mcp-Param-Region": "=?base64?WsO8cmljaA==?="]))
        #expect(base64.status == 200, "\(base64.text)")

        let unknown = try await post(front, Self.call(3, arguments: #"{"region":"eu"}"#),
                                     Self.headers(["Mcp-Param-Region": "eu", "Mcp-Param-Other": "anything"]))
        #expect(unknown.status == 200, "unknown Mcp-Param-* headers are not checked: \(unknown.text)")

        let mismatch = try await post(front, Self.call(4, arguments: #"{"region":"us-west1"}"#),
                                      Self.headers(["Mcp-Param-Region": "eu-central1"]))
        #expect(mismatch.status == 400)
        #expect(mismatch.text.contains(#""code":-32020"#), "\(mismatch.text)")
        #expect(mismatch.text.contains("Mcp-Param-Region header does not match the request body's 'region' argument"), "\(mismatch.text)")
        #expect(mismatch.text.contains(#""id":4"#), "\(mismatch.text)")

        let missing = try await post(front, Self.call(5, arguments: #"{"region":"us-west1"}"#), Self.headers())
        #expect(missing.status == 400)
        #expect(missing.text.contains("Mcp-Param-Region header is missing"), "\(missing.text)")

        let extra = try await post(front, Self.call(6, arguments: #"{}"#), Self.headers(["Mcp-Param-Region": "eu"]))
        #expect(extra.status == 400, "a header for an absent argument: \(extra.text)")

        let badBase64 = try await post(front, Self.call(7, arguments: #"{"region":"Zürich"}"#),
                                       Self.headers(["Mcp-Param-Region": "=?base64?not base64?="]))
        #expect(badBase64.status == 400, "\(badBase64.text)")

        let integer = try await post(front, Self.call(8, arguments: #"{"count":42}"#), Self.headers(["Mcp-Param-Count": "43"]))
        #expect(integer.status == 400, "\(integer.text)")

        #expect(lookups.asked.withLockedValue { $0 }.allSatisfy { $0 == "main/where" })
    }

    @Test func toolsWithoutAnnotationsAndOtherMethodsAreNotChecked() async throws {
        let lookups = Lookups()
        let front = try await FrontFixture.start { $0.toolHeaderAnnotations = lookups.lookup }
        defer { Task { await front.stop() } }

        let other = try await post(front, Self.call(1, tool: "echo", arguments: #"{"region":"x"}"#),
                                   Self.headers(tool: "echo", ["Mcp-Param-Region": "y"]))
        #expect(other.status == 200, "echo has no annotations: \(other.text)")
        #expect(lookups.asked.withLockedValue { $0 } == ["main/echo"])

        let discover = #"{"jsonrpc":"2.0","id":2,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#
        let answered = try await post(front, discover, ["MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "server/discover"])
        #expect(answered.status == 200, "\(answered.text)")
        #expect(lookups.asked.withLockedValue { $0.count } == 1, "only tools/call asks for annotations")

        // A version the proxy does not speak is the session's to refuse (-32022 before -32020).
        let later = Self.call(3, arguments: #"{"region":"x"}"#).replacingOccurrences(of: "2026-07-28", with: "2027-01-01")
        _ = try await post(front, later, Self.headers(version: "2027-01-01"))
        #expect(lookups.asked.withLockedValue { $0.count } == 1, "no params check for an unspoken version")
    }

    @Test func withoutALookupNothingIsChecked() async throws {
        let front = try await FrontFixture.start()
        defer { Task { await front.stop() } }
        let response = try await post(front, Self.call(1, arguments: #"{"region":"us-west1"}"#), Self.headers())
        #expect(response.status == 200, "\(response.text)")
    }
}
