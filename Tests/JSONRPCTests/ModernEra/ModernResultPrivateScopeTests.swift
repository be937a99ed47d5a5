import JSONRPC
import Testing

/// `privateScope`: an answer the proxy serves per principal is `cacheScope: "private"` whatever
/// the upstream said; everything else of the message keeps its bytes.
@Suite struct ModernResultPrivateScopeTests {
    private func shaped(_ text: String, _ method: MCPMethod, privateScope: Bool) throws -> String {
        let message = try modernMessage(text)
        return try applied(ModernResultShaping.splices(for: message, method: method, privateScope: privateScope), to: message)
    }

    @Test func aPublicReadBecomesPrivate() throws {
        let read = #"{"jsonrpc":"2.0","id":3,"result":{"contents":[],"ttlMs":60000,"cacheScope":"public","resultType":"complete"}}"#
        #expect(try shaped(read, .resourcesRead, privateScope: true)
            == #"{"jsonrpc":"2.0","id":3,"result":{"contents":[],"ttlMs":60000,"cacheScope":"private","resultType":"complete"}}"#)
        // Without the flag the upstream's hint stands, byte for byte.
        #expect(try shaped(read, .resourcesRead, privateScope: false) == read)
    }

    @Test func theLastMemberAndAMissingScope() throws {
        let last = #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"complete","contents":[],"ttlMs":5,"cacheScope":"public"}}"#
        #expect(try shaped(last, .resourcesRead, privateScope: true)
            == #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"complete","contents":[],"ttlMs":5,"cacheScope":"private"}}"#)
        let none = #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"complete","contents":[],"ttlMs":5}}"#
        #expect(try shaped(none, .resourcesRead, privateScope: true)
            == #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"complete","contents":[],"ttlMs":5,"cacheScope":"private"}}"#)
        let already = #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"complete","contents":[],"ttlMs":5,"cacheScope":"private"}}"#
        #expect(try shaped(already, .resourcesRead, privateScope: true) == already)
    }

    @Test func notForNonCacheableOrIncompleteResults() throws {
        let call = #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"complete","content":[],"cacheScope":"public"}}"#
        #expect(try shaped(call, .toolsCall, privateScope: true) == call)
        let pending = #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"input_required","cacheScope":"public"}}"#
        #expect(try shaped(pending, .resourcesRead, privateScope: true) == pending)
    }
}
