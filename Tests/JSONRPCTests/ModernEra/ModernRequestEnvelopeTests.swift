import JSONRPC
import NIOCore
import Testing

/// Inserting the envelope for a modern upstream, and stripping it for a handshake-era one.
@Suite struct ModernRequestEnvelopeTests {
    private func inserted(_ text: String, _ values: ModernRequestEnvelope.Values = ModernFixtures.probeValues) throws -> String {
        let message = try modernMessage(text)
        return try applied(ModernRequestEnvelope.splices(inserting: values, into: message), to: message)
    }

    private func stripped(_ text: String) throws -> String {
        let message = try modernMessage(text)
        return try applied(ModernRequestEnvelope.splicesStripping(message), to: message)
    }

    /// §4 round 1: the handshake-era request becomes exactly what the SDK client sends.
    @Test func legacyRequestGetsTheSDKEnvelope() throws {
        #expect(try inserted(ModernFixtures.greetLegacy) == ModernFixtures.greetModern)
    }

    /// §8.4: an existing `_meta` keeps its progressToken after the envelope.
    @Test func progressTokenIsKept() throws {
        #expect(try inserted(ModernFixtures.slowLegacy) == ModernFixtures.slowModern)
    }

    @Test func requestWithoutParamsGetsParams() throws {
        #expect(try inserted(#"{"jsonrpc":"2.0","id":1,"method":"server/discover"}"#) == ModernFixtures.discoverRequest)
        #expect(try inserted(#"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{}}"#) == ModernFixtures.discoverRequest)
    }

    @Test func rawValuesAndLogLevel() throws {
        let values = ModernRequestEnvelope.Values(
            protocolVersion: .v2026_07_28, clientCapabilities: Array("{}".utf8), clientInfo: nil, logLevel: "info")
        #expect(try inserted(#"{"jsonrpc":"2.0","id":"x","method":"tools/list","params":{"cursor":"c2"}}"#, values)
            == #"{"jsonrpc":"2.0","id":"x","method":"tools/list","params":{"cursor":"c2","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":"info"}}}"#)
    }

    /// A modern request's envelope is replaced in place (e.g. capabilities narrowed to what the
    /// proxy relays); keys the values leave out and duplicates go; other keys stay.
    @Test func existingEnvelopeIsReplacedInPlace() throws {
        let narrowed = ModernRequestEnvelope.Values(
            protocolVersion: .v2026_07_28, clientCapabilities: Array(#"{"elicitation":{"form":{}}}"#.utf8),
            clientInfo: nil)
        #expect(try inserted(ModernFixtures.slowModern, narrowed)
            == #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"seconds":5},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{"form":{}}},"progressToken":1}}}"#)
        let duplicated = #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1900-01-01","trace":1,"io.modelcontextprotocol/protocolVersion":"1901-01-01"}}}"#
        #expect(try inserted(duplicated, narrowed)
            == #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"elicitation":{"form":{}}},"io.modelcontextprotocol/protocolVersion":"2026-07-28","trace":1}}}"#)
        // Inserting the same envelope again changes nothing.
        #expect(try inserted(ModernFixtures.greetModern) == ModernFixtures.greetModern)
    }

    @Test func nonObjectParamsOrMetaAreLeftAlone() throws {
        let arrayParams = try modernMessage(#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#)
        #expect(ModernRequestEnvelope.splices(inserting: ModernFixtures.probeValues, into: arrayParams).isEmpty)
        let stringMeta = try modernMessage(#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":"m"}}"#)
        #expect(ModernRequestEnvelope.splices(inserting: ModernFixtures.probeValues, into: stringMeta).isEmpty)
    }

    @Test func strippingRestoresTheHandshakeRequest() throws {
        #expect(try stripped(ModernFixtures.greetModern) == ModernFixtures.greetLegacy)
        #expect(try stripped(ModernFixtures.slowModern) == ModernFixtures.slowLegacy)
        #expect(try stripped(ModernFixtures.discoverRequest) == #"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{}}"#)
        #expect(try stripped(ModernFixtures.greetRetry)
            == #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"inputResponses":"# + ModernFixtures.greetInputResponses
            + #","requestState":""# + ModernFixtures.requestState + #"","name":"greet","arguments":{}}}"#)
    }

    @Test func strippingKeepsOtherKeysWhereverTheyAre() throws {
        let text = #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"a":1,"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/logLevel":"info","b":2,"io.modelcontextprotocol/clientCapabilities":{}},"cursor":"c"}}"#
        #expect(try stripped(text) == #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"a":1,"b":2},"cursor":"c"}}"#)
        let first = #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"cursor":"c"}}"#
        #expect(try stripped(first) == #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"c"}}"#)
        let untouched = try modernMessage(ModernFixtures.slowLegacy)
        #expect(ModernRequestEnvelope.splicesStripping(untouched).isEmpty)
    }

    /// Whatever the layout, insert then strip gives valid JSON and keeps the other members.
    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params": { "name" : "a" , "_meta" : { "progressToken" : "p" } } }"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{ }}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{ }}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"io.modelcontextprotocol/clientInfo":{}, "x":[1,{"y":"}"}]}}}"#,
    ])
    func roundTripIsValid(text: String) throws {
        let withEnvelope = try inserted(text)
        let message = try modernMessage(withEnvelope)
        #expect(ModernEnvelope.read(message).status == .present)
        let back = try stripped(withEnvelope)
        #expect(!ModernEnvelope.isModern(try modernMessage(back)))
        #expect(try modernMessage(back).envelope.method == .toolsCall)
    }
}

/// Property: for any handshake-era request with an object `params` (and a `_meta`, if any,
/// holding other keys), stripping the inserted envelope gives back the original bytes, whatever
/// the whitespace and member order.
@Suite struct ModernRequestEnvelopePropertyTests {
    private static func space(_ random: inout SplitMix) -> String {
        ["", "", " ", "\n", "\t ", "  "][Int(random.next() % 6)]
    }

    private static func request(_ random: inout SplitMix) -> String {
        var pool = [
            #""name":"tool-\#(random.next() % 100)""#,
            #""arguments":{"q":"a,b}{\"c","n":[1,2,{"x":null}]}"#,
            #""cursor":"c""#,
        ]
        if random.next() % 3 != 0 {
            var meta = [#""progressToken":\#(random.next() % 1000)"#, #""trace":{"id":"t"}"#]
            meta.shuffle(using: &random)
            let count = 1 + Int(random.next() % 2)
            let s = space(&random)
            pool.append(#""_meta":"# + s + "{" + s + meta.prefix(count).joined(separator: s + "," + space(&random)) + s + "}")
        }
        pool.shuffle(using: &random)
        let members = pool.prefix(Int(random.next() % UInt64(pool.count + 1)))
        let s = space(&random)
        return #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"# + s + "{" + s
            + members.joined(separator: space(&random) + "," + space(&random)) + space(&random) + "}}"
    }

    @Test func stripUndoesInsert() throws {
        var random = SplitMix(state: 2026_07_28)
        for _ in 0..<500 {
            let text = Self.request(&random)
            let original = try modernMessage(text)
            let inserted = ModernRequestEnvelope.inserting(ModernFixtures.probeValues, into: original)
            let modern = try JSONRPCScanner().scanMessage(inserted)
            #expect(ModernEnvelope.read(modern).status == .present, "\(text)")
            #expect(String(buffer: ModernRequestEnvelope.stripping(modern)) == text)
        }
    }
}

extension ModernRequestEnvelopePropertyTests {
    /// A retry without answers undoes a retry with answers (apart from the id), whatever the layout.
    @Test func retryWithoutAnswersUndoesARetry() throws {
        var random = SplitMix(state: 42)
        for _ in 0..<300 {
            let text = Self.request(&random)
            let original = try modernMessage(text)
            let retried = try JSONRPCScanner().scanMessage(InputRequiredRetry.retry(
                of: original, newID: Array("8".utf8), inputResponses: Array(ModernFixtures.greetInputResponses.utf8),
                requestState: Array(#""s""#.utf8)))
            let params = JSONView(message: retried, range: try #require(retried.envelope.paramsRange))
            #expect(params["requestState"]?.string == "s", "\(text)")
            #expect(params["inputResponses"]?.rawBytes == Array(ModernFixtures.greetInputResponses.utf8))
            let undone = InputRequiredRetry.retry(of: retried, newID: Array("7".utf8), inputResponses: nil, requestState: nil)
            #expect(String(buffer: undone) == text)
        }
    }

    /// Shaping any result layout gives a valid message with every required field.
    @Test func shapingIsAlwaysValid() throws {
        var random = SplitMix(state: 7)
        for _ in 0..<300 {
            let request = Self.request(&random)
            // Reuse the generated params object as a result object.
            let start = try #require(request.firstRange(of: #""params":"#)).upperBound
            let result = String(request[start...].dropLast())
            let text = #"{"jsonrpc":"2.0","id":7,"result":"# + result + "}"
            let message = try modernMessage(text)
            let shaped = try JSONRPCScanner().scanMessage(
                ModernResultShaping.shaped(message, method: .toolsList, serverInfo: Array(#"{"name":"p","version":"1"}"#.utf8)))
            let view = JSONView(message: shaped, range: try #require(shaped.envelope.resultRange))
            #expect(view["resultType"]?.string == "complete", "\(text)")
            #expect(DiscoverResult.hasCacheFields(view))
            #expect(view["_meta"]?[ModernMetaKey.serverInfo]?["name"]?.string == "p")
        }
    }
}
