import JSONRPC
import NIOCore
import Testing

/// What one 2026-07-28 request lets the proxy ask its client, read from its envelope.
@Suite struct ModernClientAbilitiesTests {
    static func abilities(_ capabilities: String) throws -> ModernClientAbilities {
        let text = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":"# + capabilities + "}}}"
        guard case .single(let message) = try JSONRPCScanner().scan(ByteBuffer(string: text)) else {
            Issue.record("not a single message")
            return []
        }
        return ModernClientAbilities(envelope: ModernEnvelope.read(message), in: message)
    }

    @Test(arguments: [
        (#"{}"#, ModernClientAbilities()),
        (#"{"sampling":{}}"#, [.sampling]),
        (#"{"sampling":{"tools":{}}}"#, [.sampling, .samplingTools]),
        (#"{"elicitation":{}}"#, [.elicitationForm]),
        (#"{"elicitation":{"url":{}}}"#, [.elicitationURL]),
        (#"{"elicitation":{"form":{},"url":{}},"roots":{"listChanged":true}}"#, [.elicitationForm, .elicitationURL, .roots]),
        (#""not an object""#, ModernClientAbilities()),
    ] as [(String, ModernClientAbilities)])
    func readsTheEnvelope(_ capabilities: String, _ expected: ModernClientAbilities) throws {
        #expect(try Self.abilities(capabilities) == expected)
    }

    @Test func coversWhatAnInputRequestNeeds() {
        let abilities: ModernClientAbilities = [.elicitationForm, .roots]
        #expect(abilities.covers(.elicitationForm))
        #expect(abilities.covers(.roots))
        #expect(!abilities.covers(.elicitationURL))
        #expect(!abilities.covers(.sampling))
        #expect(!abilities.covers(.extension("io.modelcontextprotocol/tasks")))
    }
}
