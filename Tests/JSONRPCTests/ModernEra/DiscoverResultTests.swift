import JSONRPC
import NIOCore
import Testing

/// Building and reading `server/discover` results.
@Suite struct DiscoverResultTests {
    static let sdkCapabilities = ServerCapabilities(raw: [
        "prompts": ["listChanged": true], "resources": ["listChanged": true, "subscribe": true],
        "tools": ["listChanged": true],
    ])

    /// §2.8: the SDK server's answer, byte for byte.
    @Test func buildsTheSDKResponse() {
        let result = DiscoverResult(
            supportedVersions: [.v2026_07_28], capabilities: Self.sdkCapabilities,
            instructions: "Demo server for era notes.", cacheHint: .sdkDefault,
            serverInfo: Implementation(name: "era-demo", version: "1.0.0"))
        #expect(String(buffer: result.response(idBytes: Array("1".utf8))) == ModernFixtures.discoverResponse)
    }

    @Test func specExampleAndOptionalFields() {
        let result = DiscoverResult(
            supportedVersions: [.v2026_07_28, .v2025_11_25], capabilities: ServerCapabilities(raw: ["tools": [:], "resources": [:]]),
            cacheHint: CacheHint(ttlMs: 3_600_000, scope: .public))
        #expect(String(decoding: result.resultBytes, as: UTF8.self)
            == #"{"cacheScope":"public","capabilities":{"resources":{},"tools":{}},"resultType":"complete","supportedVersions":["2026-07-28","2025-11-25"],"ttlMs":3600000}"#)
        #expect(result.modernVersions == [.v2026_07_28])
    }

    @Test func readsTheSDKResponse() throws {
        let message = try modernMessage(ModernFixtures.discoverResponse)
        let view = JSONView(message: message, range: try #require(message.envelope.resultRange))
        let parsed = try #require(DiscoverResult(parsing: view))
        #expect(parsed.supportedVersions == [.v2026_07_28])
        #expect(parsed.capabilities == Self.sdkCapabilities)
        #expect(parsed.instructions == "Demo server for era notes.")
        #expect(parsed.cacheHint == .sdkDefault)
        #expect(parsed.serverInfo == Implementation(name: "era-demo", version: "1.0.0"))
        #expect(DiscoverResult.hasCacheFields(view))
        // Reading then writing gives the same bytes.
        #expect(String(buffer: parsed.response(idBytes: Array("1".utf8))) == ModernFixtures.discoverResponse)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"result":{"capabilities":{}}}"#,
        #"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":["2026-07-28"]}}"#,
        #"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":[20260728],"capabilities":{}}}"#,
        #"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":"2026-07-28","capabilities":{}}}"#,
    ])
    func rejectsWhatIsNotADiscoverResult(text: String) throws {
        let message = try modernMessage(text)
        #expect(DiscoverResult(parsing: JSONView(message: message, range: try #require(message.envelope.resultRange))) == nil)
    }

    /// The SDK client falls back to `initialize` when ttlMs/cacheScope are missing or invalid.
    @Test(arguments: [
        (#"{"supportedVersions":[],"capabilities":{}}"#, false),
        (#"{"ttlMs":-1,"cacheScope":"private"}"#, false),
        (#"{"ttlMs":0,"cacheScope":"shared"}"#, false),
        (#"{"ttlMs":1.5,"cacheScope":"public"}"#, false),
        (#"{"ttlMs":0,"cacheScope":"public"}"#, true),
    ])
    func cacheFields(result: String, valid: Bool) throws {
        let message = try modernMessage(#"{"jsonrpc":"2.0","id":1,"result":"# + result + "}")
        #expect(DiscoverResult.hasCacheFields(JSONView(message: message, range: try #require(message.envelope.resultRange))) == valid)
    }
}
