import JSONRPC
import NIOCore
import Testing

/// The ladder's rungs 1, 3, 4 and the -32021 builder, against the SDK's exact bodies (era-2026.md §2.3, §8.6).
@Suite struct ModernValidationTests {
    let supported: [ProtocolVersion] = [.v2026_07_28]

    private func rejection(_ text: String) throws -> ModernRejection? {
        let message = try modernMessage(text)
        return ModernValidation.check(ModernEnvelope.read(message), supported: supported)
    }

    @Test func validEnvelopePasses() throws {
        #expect(try rejection(ModernFixtures.discoverRequest) == nil)
        #expect(try rejection(ModernFixtures.greetModern) == nil)
        #expect(try rejection(ModernFixtures.slowModern) == nil)
    }

    /// §8.6: a handshake `initialize` at the SDK's modern HTTP entry.
    @Test func noMetaGetsTheSDKBody() throws {
        let text = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#
        let refused = try #require(try rejection(text))
        #expect(refused.httpStatus == 400)
        #expect(String(buffer: refused.response(idBytes: Array("1".utf8)))
            == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"params._meta must be an object carrying the required 'io.modelcontextprotocol/protocolVersion' and 'io.modelcontextprotocol/clientCapabilities' envelope keys"}}"#)
        #expect(try rejection(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#) == refused)
        #expect(try rejection(#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":[]}}"#) == refused)
    }

    @Test func missingKeysAreNamedInOrder() throws {
        let one = try #require(try rejection(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#))
        #expect(one.code == .invalidParams)
        #expect(one.message == "params._meta is missing the required envelope key(s): io.modelcontextprotocol/clientCapabilities")
        let both = try #require(try rejection(ModernFixtures.slowLegacy))
        #expect(both.message
            == "params._meta is missing the required envelope key(s): io.modelcontextprotocol/protocolVersion, io.modelcontextprotocol/clientCapabilities")
    }

    @Test func versionMustBeAString() throws {
        let refused = try #require(try rejection(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":null,"io.modelcontextprotocol/clientCapabilities":{}}}}"#))
        #expect(refused.code == .invalidParams)
        #expect(refused.message == "the protocol-version envelope value must be a string")
    }

    /// §2.3: the SDK's -32022 body, byte for byte.
    @Test func unsupportedVersionGetsTheSDKBody() throws {
        let refused = try #require(try rejection(
            #"{"jsonrpc":"2.0","id":2,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1900-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#))
        #expect(refused.httpStatus == 400)
        #expect(String(buffer: refused.response(idBytes: Array("2".utf8)))
            == #"{"jsonrpc":"2.0","id":2,"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2026-07-28"],"requested":"1900-01-01"}}}"#)
        let dual = ModernValidation.unsupportedVersion(requested: "2025-11-25", supported: [.v2026_07_28, .v2025_11_25])
        #expect(dual.data.map { String(decoding: $0, as: UTF8.self) }
            == #"{"supported":["2026-07-28","2025-11-25"],"requested":"2025-11-25"}"#)
    }

    @Test func duplicatesAndWrongTypesAreInvalidParams() throws {
        let duplicate = try #require(try rejection(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientCapabilities":{"sampling":{}}}}}"#))
        #expect(duplicate.code == .invalidParams)
        #expect(duplicate.message.contains("more than once"))
        let info = try #require(try rejection(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":7}}}"#))
        #expect(info.message == "the 'io.modelcontextprotocol/clientInfo' envelope value must be an object")
    }

    /// §2.3: the SDK's -32021 body for a form elicitation, byte for byte.
    @Test func missingCapabilityGetsTheSDKBody() {
        let refused = ModernValidation.missingCapability(.elicitationForm, requiredBy: "resolver '__main__:ask_name'")
        #expect(refused.httpStatus == 400)
        #expect(String(buffer: refused.response(idBytes: Array("13".utf8)))
            == #"{"jsonrpc":"2.0","id":13,"error":{"code":-32021,"message":"Client did not declare the form elicitation capability required by resolver '__main__:ask_name'","data":{"requiredCapabilities":{"elicitation":{"form":{}}}}}}"#)
    }

    @Test(arguments: [
        (RequiredClientCapability.elicitationURL, #"{"requiredCapabilities":{"elicitation":{"url":{}}}}"#),
        (.sampling, #"{"requiredCapabilities":{"sampling":{}}}"#),
        (.samplingTools, #"{"requiredCapabilities":{"sampling":{"tools":{}}}}"#),
        (.roots, #"{"requiredCapabilities":{"roots":{}}}"#),
        (.extension("io.modelcontextprotocol/tasks"), #"{"requiredCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}"#),
    ])
    func missingCapabilityData(capability: RequiredClientCapability, data: String) {
        let refused = ModernValidation.missingCapability(capability)
        #expect(refused.code == .missingRequiredClientCapability)
        #expect(refused.data.map { String(decoding: $0, as: UTF8.self) } == data)
    }

    @Test func extensionMessageFollowsTheSDK() {
        #expect(ModernValidation.missingCapability(.extension("io.modelcontextprotocol/tasks")).message
            == "Client did not declare required extension 'io.modelcontextprotocol/tasks'")
    }

    @Test func capabilityDeclarations() {
        let bare = ClientCapabilities(raw: ["elicitation": [:]])
        #expect(RequiredClientCapability.elicitationForm.isDeclared(by: bare))
        #expect(!RequiredClientCapability.elicitationURL.isDeclared(by: bare))
        let urlOnly = ClientCapabilities(raw: ["elicitation": ["url": [:]]])
        #expect(!RequiredClientCapability.elicitationForm.isDeclared(by: urlOnly))
        let tasks = ClientCapabilities(raw: ["extensions": ["io.modelcontextprotocol/tasks": [:]], "roots": [:]])
        #expect(RequiredClientCapability.extension("io.modelcontextprotocol/tasks").isDeclared(by: tasks))
        #expect(!RequiredClientCapability.extension("other").isDeclared(by: tasks))
        #expect(RequiredClientCapability.roots.isDeclared(by: tasks))
        #expect(!RequiredClientCapability.sampling.isDeclared(by: tasks))
    }

    @Test func httpStatuses() {
        #expect(ModernRejection.httpStatus(for: .methodNotFound) == 404)
        for code in [JSONRPCErrorCode.parseError, .invalidRequest, .invalidParams, .headerMismatch,
                     .missingRequiredClientCapability, .unsupportedProtocolVersion] {
            #expect(ModernRejection.httpStatus(for: code) == 400)
        }
        #expect(ModernRejection.httpStatus(for: .internalError) == 200)
        #expect(ModernRejection.httpStatus(for: JSONRPCErrorCode(rawValue: -32000)) == 200)
        // §2.3: -32601 keeps the method name in data.
        let notFound = ModernRejection(code: .methodNotFound, message: "Method not found", data: Array(#""foo/bar""#.utf8))
        #expect(notFound.httpStatus == 404)
        #expect(String(buffer: notFound.response(idBytes: Array("11".utf8)))
            == #"{"jsonrpc":"2.0","id":11,"error":{"code":-32601,"message":"Method not found","data":"foo/bar"}}"#)
    }
}

extension ModernValidationTests {
    /// §8.3: the SDK modern-only stdio server's answer to `initialize`, byte for byte.
    @Test func initializeAtAModernOnlyFront() throws {
        let message = try modernMessage(
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#)
        let refused = ModernValidation.refusingInitialize(message, supported: supported)
        #expect(refused.httpStatus == 400)
        #expect(String(buffer: refused.response(idBytes: message.idBytes))
            == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"connection is serving the 2026-07-28 protocol; the initialize handshake is not accepted","data":{"supported":["2026-07-28"],"requested":"2025-11-25"}}}"#)
        let bare = try modernMessage(#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#)
        #expect(ModernValidation.refusingInitialize(bare, supported: supported).data.map { String(decoding: $0, as: UTF8.self) }
            == #"{"supported":["2026-07-28"],"requested":""}"#)
    }
}
