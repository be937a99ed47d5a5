import JSONRPC
import NIOCore
import Testing

@testable import MCPProxy

/// The caching hint of a merged list: the smallest ttlMs, private if any part is, and private
/// whatever the parts say when the proxy answers per principal.
@Suite struct ListCacheHintsTests {
    private func page(_ result: String) throws -> CacheHint? {
        let message = try JSONRPCScanner().scanMessage(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"result":"# + result + "}"))
        return ListCacheHints.hint(ofPage: JSONView(message: message, range: try #require(message.envelope.resultRange)))
    }

    @Test func readsAPage() throws {
        #expect(try page(#"{"tools":[],"ttlMs":60000,"cacheScope":"public"}"#) == CacheHint(ttlMs: 60000, scope: .public))
        #expect(try page(#"{"tools":[],"ttlMs":5000}"#) == CacheHint(ttlMs: 5000, scope: .private))
        #expect(try page(#"{"tools":[]}"#) == nil)  // a handshake-era upstream
    }

    @Test func merges() {
        let a = CacheHint(ttlMs: 60000, scope: .public)
        let b = CacheHint(ttlMs: 5000, scope: .private)
        let c = CacheHint(ttlMs: 30000, scope: .public)
        #expect(ListCacheHints.merged([a, c], privateScope: false) == CacheHint(ttlMs: 30000, scope: .public))
        #expect(ListCacheHints.merged([a, b], privateScope: false) == CacheHint(ttlMs: 5000, scope: .private))
        // Filtered per principal: private, the ttl unchanged.
        #expect(ListCacheHints.merged([a, c], privateScope: true) == CacheHint(ttlMs: 30000, scope: .private))
        // No hint anywhere (handshake-era upstreams only), or no parts: what the proxy always said.
        #expect(ListCacheHints.merged([nil, nil], privateScope: false) == .sdkDefault)
        #expect(ListCacheHints.merged([], privateScope: false) == .sdkDefault)
        // A part without a hint counts as ttl 0, private.
        #expect(ListCacheHints.merged([a, nil], privateScope: false) == .sdkDefault)
    }

    @Test func keepsOneHintPerUpstreamAndKind() {
        let hints = ListCacheHints()
        hints.record(.tools, upstream: 0, hint: CacheHint(ttlMs: 1, scope: .public))
        hints.record(.tools, upstream: 1, hint: CacheHint(ttlMs: 2, scope: .private))
        hints.record(.prompts, upstream: 0, hint: CacheHint(ttlMs: 3, scope: .public))
        #expect(hints.hint(.tools, upstream: 0) == CacheHint(ttlMs: 1, scope: .public))
        #expect(hints.hint(.tools, upstream: 1) == CacheHint(ttlMs: 2, scope: .private))
        #expect(hints.hint(.prompts, upstream: 0) == CacheHint(ttlMs: 3, scope: .public))
        hints.record(.tools, upstream: 0, hint: nil)
        #expect(hints.hint(.tools, upstream: 0) == nil)
    }
}
