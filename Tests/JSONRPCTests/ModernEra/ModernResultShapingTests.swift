import JSONRPC
import NIOCore
import Testing

/// Shaping handshake-era results for a 2026-07-28 client, by splicing.
@Suite struct ModernResultShapingTests {
    static let proxyInfo = Implementation(name: "mcp-proxy", version: "1.0").jsonBytes

    private func shaped(
        _ text: String, _ method: MCPMethod, hint: CacheHint = .sdkDefault, serverInfo: [UInt8]? = proxyInfo,
        replace: Bool = false
    ) throws -> String {
        let message = try modernMessage(text)
        return try applied(
            ModernResultShaping.splices(
                for: message, method: method, cacheHint: hint, serverInfo: serverInfo, replaceServerInfo: replace),
            to: message)
    }

    /// §8.3: example-server's legacy tools/list result, which the SDK client refuses at 2026.
    @Test func legacyListGetsEveryRequiredField() throws {
        let legacy = #"{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}}]}}"#
        #expect(try shaped(legacy, .toolsList)
            == #"{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}}],"resultType":"complete","ttlMs":0,"cacheScope":"private","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"mcp-proxy","version":"1.0"}}}}"#)
        #expect(try shaped(legacy, .toolsList, hint: CacheHint(ttlMs: 60000, scope: .public), serverInfo: nil)
            == #"{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}}],"resultType":"complete","ttlMs":60000,"cacheScope":"public"}}"#)
    }

    @Test(arguments: [MCPMethod.toolsList, .promptsList, .resourcesList, .resourcesTemplatesList, .resourcesRead, .serverDiscover])
    func cacheableMethods(method: MCPMethod) throws {
        #expect(ModernResultShaping.isCacheable(method))
        #expect(try shaped(#"{"jsonrpc":"2.0","id":1,"result":{}}"#, method, serverInfo: nil)
            == #"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","ttlMs":0,"cacheScope":"private"}}"#)
    }

    @Test func nonCacheableGetsOnlyResultType() throws {
        #expect(!ModernResultShaping.isCacheable(.toolsCall))
        #expect(try shaped(#"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"hi"}],"isError":false}}"#, .toolsCall, serverInfo: nil)
            == #"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"hi"}],"isError":false,"resultType":"complete"}}"#)
        #expect(try shaped(#"{"jsonrpc":"2.0","id":3,"result":{}}"#, .completionComplete, serverInfo: nil)
            == #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"complete"}}"#)
    }

    /// §6 and §4: results that are already modern come out byte for byte.
    @Test func modernResultsAreUntouched() throws {
        let read = try modernMessage(ModernFixtures.readResult)
        #expect(ModernResultShaping.splices(for: read, method: .resourcesRead, serverInfo: Self.proxyInfo).isEmpty)
        #expect(String(buffer: ModernResultShaping.shaped(read, method: .resourcesRead)) == ModernFixtures.readResult)
        let final = try modernMessage(ModernFixtures.greetFinal)
        #expect(ModernResultShaping.splices(for: final, method: .toolsCall, serverInfo: Self.proxyInfo).isEmpty)
    }

    @Test func inputRequiredGetsNoCacheFields() throws {
        let interim = try modernMessage(
            #"{"jsonrpc":"2.0","id":4,"result":{"resultType":"input_required","requestState":"s"}}"#)
        #expect(ModernResultShaping.splices(for: interim, method: .resourcesRead).isEmpty)
    }

    @Test func serverInfoGoesIntoAnExistingMeta() throws {
        #expect(try shaped(#"{"jsonrpc":"2.0","id":1,"result":{"content":[],"_meta":{"trace":"t1"}}}"#, .toolsCall)
            == #"{"jsonrpc":"2.0","id":1,"result":{"content":[],"_meta":{"trace":"t1","io.modelcontextprotocol/serverInfo":{"name":"mcp-proxy","version":"1.0"}},"resultType":"complete"}}"#)
        #expect(try shaped(#"{"jsonrpc":"2.0","id":1,"result":{"_meta":{}}}"#, .toolsCall)
            == #"{"jsonrpc":"2.0","id":1,"result":{"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"mcp-proxy","version":"1.0"}},"resultType":"complete"}}"#)
    }

    @Test func upstreamServerInfoIsKeptOrReplaced() throws {
        let kept = try shaped(ModernFixtures.greetFinal, .toolsCall)
        #expect(kept == ModernFixtures.greetFinal)
        let replaced = try shaped(ModernFixtures.greetFinal, .toolsCall, replace: true)
        #expect(replaced == ModernFixtures.greetFinal.replacingAll(
            #"{"name":"era-demo","version":"1.0.0"}"#, with: #"{"name":"mcp-proxy","version":"1.0"}"#))
    }

    @Test func errorsAndOddResultsAreLeftAlone() throws {
        let error = try modernMessage(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#)
        #expect(ModernResultShaping.splices(for: error, method: .toolsList, serverInfo: Self.proxyInfo).isEmpty)
        let array = try modernMessage(#"{"jsonrpc":"2.0","id":1,"result":[1]}"#)
        #expect(ModernResultShaping.splices(for: array, method: .toolsList).isEmpty)
    }

    @Test func whitespaceAndLargeResultsKeepTheirBytes() throws {
        #expect(try shaped(#"{"jsonrpc":"2.0","id":1,"result": { "tools" : [ ] } }"#, .toolsList, serverInfo: nil)
            == #"{"jsonrpc":"2.0","id":1,"result": { "tools" : [ ],"resultType":"complete","ttlMs":0,"cacheScope":"private" } }"#)
        let big = String(repeating: #"{"name":"t\u00e9","inputSchema":{"type":"object"}},"#, count: 20_000)
        let text = #"{"jsonrpc":"2.0","id":9,"result":{"tools":["# + big + #"{"name":"last"}]}}"#
        let out = try shaped(text, .toolsList, serverInfo: nil)
        #expect(out == String(text.dropLast(2)) + #","resultType":"complete","ttlMs":0,"cacheScope":"private"}}"#)
    }

    @Test func cacheHintMerge() throws {
        let a = CacheHint(ttlMs: 60000, scope: .public)
        let b = CacheHint(ttlMs: 1000, scope: .public)
        let c = CacheHint(ttlMs: 5000, scope: .private)
        #expect(a.combined(with: b) == CacheHint(ttlMs: 1000, scope: .public))
        #expect(CacheHint.combine([a, c]) == CacheHint(ttlMs: 5000, scope: .private))
        #expect(CacheHint.combine([a, b, c]) == CacheHint(ttlMs: 1000, scope: .private))
        #expect(CacheHint.combine([CacheHint]()) == nil)
        #expect(CacheHint(ttlMs: -5, scope: .public).ttlMs == 0)
        // A handshake-era part has no hint: it reads as the SDK default and makes the merge private, ttl 0.
        let legacy = try modernMessage(#"{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}"#)
        let legacyPart = CacheHint(result: JSONView(message: legacy, range: try #require(legacy.envelope.resultRange)))
        #expect(legacyPart == .sdkDefault)
        #expect(CacheHint.combine([a, legacyPart]) == .sdkDefault)
    }

    @Test func cacheHintReadsAResult() throws {
        let message = try modernMessage(#"{"jsonrpc":"2.0","id":1,"result":{"ttlMs":3600000,"cacheScope":"public","tools":[]}}"#)
        let result = JSONView(message: message, range: try #require(message.envelope.resultRange))
        #expect(CacheHint(result: result) == CacheHint(ttlMs: 3_600_000, scope: .public))
    }
}

extension String {
    /// Foundation-free replace-all for the tests.
    func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
