import JSONRPC
import NIOCore
import Testing

/// MRTR: reading `input_required` results and building the retry (era-2026.md §4).
@Suite struct InputRequiredTests {
    @Test func readsTheSDKInterimResult() throws {
        let message = try modernMessage(ModernFixtures.greetInputRequired)
        #expect(InputRequiredResult.isInputRequired(message))
        let result = try #require(InputRequiredResult.read(message))
        #expect(result.isWellFormed)
        #expect(result.requests.count == 1)
        let request = try #require(result.requests.first)
        #expect(request.key == "__main__:ask_name")
        #expect(message.text(request.keyRange) == #""__main__:ask_name""#)
        #expect(request.method == "elicitation/create")
        #expect(message.text(request.methodRange) == #""elicitation/create""#)
        #expect(message.text(request.paramsRange)?.hasPrefix(#"{"message":"What is your name?","mode":"form""#) == true)
        #expect(request.requiredCapability == .elicitationForm)
        #expect(result.requestState == ModernFixtures.requestState)
        #expect(result.requestStateToken(in: message).map { String(decoding: $0, as: UTF8.self) }
            == "\"" + ModernFixtures.requestState + "\"")
        #expect(message.text(result.inputRequestsRange)?.hasPrefix(#"{"__main__:ask_name":{"method""#) == true)
    }

    @Test func capabilitiesTheRequestsNeed() throws {
        let result = try #require(InputRequiredResult.read(try modernMessage(ModernFixtures.greetInputRequired)))
        #expect(result.missingCapabilities(declared: ClientCapabilities()) == [.elicitationForm])
        #expect(result.missingCapabilities(declared: ClientCapabilities(raw: ["elicitation": ["form": [:], "url": [:]]])).isEmpty)
        let mixed = try #require(InputRequiredResult.read(try modernMessage(
            #"{"jsonrpc":"2.0","id":4,"result":{"resultType":"input_required","inputRequests":{"a":{"method":"sampling/createMessage","params":{"messages":[],"maxTokens":10}},"b":{"method":"roots/list"},"c":{"method":"elicitation/create","params":{"mode":"url","url":"https://x","message":"m"}},"d":{"method":"roots/list"},"e":{"method":"vendor/x"}}}}"#)))
        #expect(mixed.requests.map(\.key) == ["a", "b", "c", "d", "e"])
        #expect(mixed.requests.map(\.requiredCapability) == [.sampling, .roots, .elicitationURL, .roots, nil])
        #expect(mixed.missingCapabilities(declared: ClientCapabilities(raw: ["roots": [:]])) == [.sampling, .elicitationURL])
        #expect(mixed.requestStateRange == nil)
    }

    @Test(arguments: [
        ModernFixtures.greetFinal,
        #"{"jsonrpc":"2.0","id":1,"result":{"content":[]}}"#,
        #"{"jsonrpc":"2.0","id":1,"result":{"resultType":"task","taskId":"t"}}"#,
        #"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid or expired requestState","data":{"reason":"invalid_request_state"}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"resultType":"input_required"}}"#,
    ])
    func notInputRequired(text: String) throws {
        let message = try modernMessage(text)
        #expect(!InputRequiredResult.isInputRequired(message))
        #expect(InputRequiredResult.read(message) == nil)
    }

    @Test func stateOnlyAndEmptyResults() throws {
        let stateOnly = try #require(InputRequiredResult.read(try modernMessage(
            #"{"jsonrpc":"2.0","id":1,"result":{"resultType":"input_required","requestState":"s\"1"}}"#)))
        #expect(stateOnly.isWellFormed && stateOnly.requests.isEmpty && stateOnly.requestState == "s\"1")
        let empty = try #require(InputRequiredResult.read(try modernMessage(
            #"{"jsonrpc":"2.0","id":1,"result":{"resultType":"input_required"}}"#)))
        #expect(!empty.isWellFormed)
    }

    /// §4 round 2, byte for byte: new id, inputResponses and the exact requestState first in params.
    @Test func buildsTheSDKRetry() throws {
        let interim = try modernMessage(ModernFixtures.greetInputRequired)
        let state = try #require(InputRequiredResult.read(interim)?.requestStateToken(in: interim))
        let request = try modernMessage(ModernFixtures.greetModern)
        let edits = InputRequiredRetry.splices(
            for: request, newID: JSONRPCID.number(5).jsonBytes,
            inputResponses: Array(ModernFixtures.greetInputResponses.utf8), requestState: state)
        #expect(try applied(edits, to: request) == ModernFixtures.greetRetry)
        let built = InputRequiredRetry.inputResponses([
            (key: "__main__:ask_name", value: Array(#"{"action":"accept","content":{"name":"Ada"}}"#.utf8))
        ])
        #expect(String(decoding: built, as: UTF8.self) == ModernFixtures.greetInputResponses)
    }

    /// A further round replaces the previous answers; a state not given this round is not sent.
    @Test func retryOfARetry() throws {
        let previous = try modernMessage(ModernFixtures.greetRetry)
        let next = InputRequiredRetry.retry(
            of: previous, newID: Array(#""r-6""#.utf8), inputResponses: Array(#"{"k":{"action":"decline"}}"#.utf8),
            requestState: nil)
        #expect(String(buffer: next)
            == #"{"jsonrpc":"2.0","id":"r-6","method":"tools/call","params":{"inputResponses":{"k":{"action":"decline"}},"name":"greet","arguments":{},"_meta":"# + ModernFixtures.envelope + "}}")
        let stateOnly = try modernMessage(
            #"{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"p","requestState":"old","inputResponses":{}}}"#)
        #expect(try applied(
            InputRequiredRetry.splices(for: stateOnly, newID: Array("2".utf8), inputResponses: nil, requestState: Array(#""new""#.utf8)),
            to: stateOnly) == #"{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"requestState":"new","name":"p"}}"#)
        let onlyThose = try modernMessage(#"{"jsonrpc":"2.0","id":1,"method":"roots/x","params":{"requestState":"old"}}"#)
        #expect(try applied(
            InputRequiredRetry.splices(for: onlyThose, newID: Array("2".utf8), inputResponses: nil, requestState: nil),
            to: onlyThose) == #"{"jsonrpc":"2.0","id":2,"method":"roots/x","params":{}}"#)
    }

    @Test func requestWithoutParams() throws {
        let bare = try modernMessage(#"{"jsonrpc":"2.0","id":1,"method":"resources/read"}"#)
        #expect(try applied(
            InputRequiredRetry.splices(for: bare, newID: Array("2".utf8), inputResponses: Array("{}".utf8), requestState: nil),
            to: bare) == #"{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"inputResponses":{}}}"#)
        let notification = try modernMessage(#"{"jsonrpc":"2.0","method":"notifications/x"}"#)
        #expect(InputRequiredRetry.splices(for: notification, newID: Array("2".utf8), inputResponses: nil, requestState: nil).isEmpty)
    }
}
