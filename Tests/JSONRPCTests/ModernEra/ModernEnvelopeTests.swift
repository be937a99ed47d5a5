import JSONRPC
import NIOCore
import Testing

/// Reading the 2026-07-28 envelope out of `params._meta`.
@Suite struct ModernEnvelopeTests {
    @Test func readsTheSDKEnvelopeWithRanges() throws {
        let message = try modernMessage(ModernFixtures.discoverRequest)
        let envelope = ModernEnvelope.read(message)
        #expect(envelope.status == .present)
        #expect(ModernEnvelope.isModern(message))
        #expect(envelope.protocolVersionString == "2026-07-28")
        let version = try #require(envelope.protocolVersion)
        #expect(message.text(version.keyRange) == #""io.modelcontextprotocol/protocolVersion""#)
        #expect(message.text(version.valueRange) == #""2026-07-28""#)
        #expect(message.text(envelope.clientInfo?.valueRange) == #"{"name":"probe-client","version":"0.1"}"#)
        #expect(message.text(envelope.clientCapabilities?.valueRange) == #"{"elicitation":{"form":{},"url":{}}}"#)
        #expect(message.text(envelope.metaRange) == ModernFixtures.envelope)
        #expect(envelope.logLevel == nil)
        #expect(envelope.clientInfo(in: message) == Implementation(name: "probe-client", version: "0.1"))
        let capabilities = try #require(envelope.clientCapabilities(in: message))
        #expect(capabilities.elicitationForm && capabilities.elicitationURL && !capabilities.sampling)
    }

    @Test func logLevelIsRead() throws {
        let message = try modernMessage(
            #"{"jsonrpc":"2.0","id":"a","method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/logLevel":"debug","io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#)
        let envelope = ModernEnvelope.read(message)
        #expect(envelope.status == .present)
        #expect(envelope.logLevel(in: message) == "debug")
        #expect(envelope.clientInfo == nil)
    }

    /// The SDK's rule: a bare progressToken is not modern; only the version key is the signal.
    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#,
        ModernFixtures.slowLegacy,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/clientCapabilities":{}}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":"io.modelcontextprotocol/protocolVersion"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"arguments":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
    ])
    func notModern(_ text: String) throws {
        let message = try modernMessage(text)
        #expect(!ModernEnvelope.isModern(message))
        if message.envelope.method != .initialize {
            #expect(ModernEnvelope.read(message).status == .absent)
        }
    }

    @Test func escapedKeyIsStillTheVersionKey() throws {
        let message = try modernMessage(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol\/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#)
        #expect(ModernEnvelope.isModern(message))
        #expect(ModernEnvelope.read(message).status == .present)
    }

    @Test func halfBuiltEnvelopeIsModernButMalformed() throws {
        let message = try modernMessage(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#)
        #expect(ModernEnvelope.isModern(message))
        #expect(ModernEnvelope.read(message).status == .malformed(.missingKeys([ModernMetaKey.clientCapabilities])))
    }

    @Test func duplicateEnvelopeKeyIsMalformed() throws {
        let message = try modernMessage(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/protocolVersion":"1900-01-01"}}}"#)
        let envelope = ModernEnvelope.read(message)
        #expect(envelope.duplicatedKeys == [ModernMetaKey.protocolVersion])
        #expect(envelope.status == .malformed(.duplicateKey(ModernMetaKey.protocolVersion)))
    }

    @Test(arguments: [
        (#""io.modelcontextprotocol/protocolVersion":20260728,"io.modelcontextprotocol/clientCapabilities":{}"#,
         ModernMetaKey.protocolVersion, JSONView.Kind.string),
        (#""io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":[]"#,
         ModernMetaKey.clientCapabilities, .object),
        (#""io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":"me""#,
         ModernMetaKey.clientInfo, .object),
        (#""io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":3"#,
         ModernMetaKey.logLevel, .string),
    ])
    func wrongTypesAreMalformed(members: String, key: String, expected: JSONView.Kind) throws {
        let message = try modernMessage(#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"# + members + "}}}")
        #expect(ModernEnvelope.read(message).status == .malformed(.wrongType(key: key, expected: expected)))
    }

    @Test func whitespaceDoesNotChangeTheRanges() throws {
        let text = #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params": { "_meta" : { "io.modelcontextprotocol/protocolVersion" : "2026-07-28" , "io.modelcontextprotocol/clientCapabilities" : { } } } }"#
        let message = try modernMessage(text)
        let envelope = ModernEnvelope.read(message)
        #expect(envelope.status == .present)
        #expect(message.text(envelope.protocolVersion?.valueRange) == #""2026-07-28""#)
        #expect(message.text(envelope.clientCapabilities?.valueRange) == "{ }")
    }
}

/// The scanner's flag (`Envelope.hasModernEnvelope`, set while it walks `params._meta`) and the
/// full envelope read agree on which requests are modern.
struct ModernEnvelopeFlagTests {
    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"progressToken":1}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol\/protocolVersion":"2026-07-28"}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
    ])
    func scannerFlagAgreesWithTheEnvelopeRead(_ text: String) throws {
        guard case .single(let message) = try JSONRPCScanner().scan(ByteBuffer(string: text)) else {
            Issue.record("not a single message")
            return
        }
        let read = ModernEnvelope.read(message).protocolVersion != nil && message.envelope.method != .initialize
        #expect(ModernEnvelope.isModern(message) == read)
    }
}
