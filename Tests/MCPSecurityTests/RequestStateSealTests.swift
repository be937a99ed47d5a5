import MCPSecurity
import Testing

/// The integrity envelope of the proxy's own `requestState` (MRTR): opens what it sealed,
/// refuses anything altered, and leaves upstreams' states alone.
@Suite struct RequestStateSealTests {
    let seal = RequestStateSeal()
    let payload: [UInt8] = Array(0..<16)

    @Test func opensWhatItSealed() throws {
        let sealed = seal.seal(payload)
        #expect(sealed.hasPrefix(RequestStateSeal.prefix))
        #expect(RequestStateSeal.isSealed(sealed))
        #expect(try seal.open(sealed) == payload)
    }

    @Test func anUpstreamsStateIsNotTheProxys() {
        #expect(!RequestStateSeal.isSealed("opaque-upstream-state"))
        #expect(throws: RequestStateSealError.notSealed) { try seal.open("opaque-upstream-state") }
    }

    /// Every single-character change of the payload or the tag is caught.
    @Test func refusesEveryAlteredCharacter() {
        let sealed = Array(seal.seal(payload).utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for index in RequestStateSeal.prefix.utf8.count..<sealed.count where sealed[index] != UInt8(ascii: ".") {
            var altered = sealed
            altered[index] = alphabet.first { $0 != sealed[index] } ?? UInt8(ascii: "A")
            let text = String(decoding: altered, as: UTF8.self)
            #expect(throws: RequestStateSealError.self, "position \(index)") { try seal.open(text) }
        }
    }

    @Test func anotherProxysKeyDoesNotOpenIt() throws {
        let other = try RequestStateSeal(key: Array(repeating: 7, count: 32))
        #expect(throws: RequestStateSealError.altered) { try other.open(seal.seal(payload)) }
    }

    @Test(arguments: ["mcpproxy1.", "mcpproxy1.abc", "mcpproxy1..", "mcpproxy1.!!!.AAAAAAAAAAAAAAAAAAAAAA",
                      "mcpproxy1." + String(repeating: "A", count: 5_000) + ".AAAAAAAAAAAAAAAAAAAAAA"])
    func refusesMalformedStates(_ state: String) {
        #expect(throws: RequestStateSealError.self) { try seal.open(state) }
    }

    @Test func aShortKeyIsRefused() {
        #expect(throws: RequestStateSealError.weakKey(8)) { try RequestStateSeal(key: Array(repeating: 1, count: 8)) }
    }
}
