import Foundation
import JSONRPC
import XCTest

final class CapabilitiesTests: XCTestCase {
    func testClientCapabilitiesAccessors() throws {
        let json = #"{"roots":{"listChanged":true},"sampling":{"context":{},"tools":{}},"elicitation":{"form":{},"url":{}},"experimental":{"x":1}}"#
        let caps = try JSONDecoder().decode(ClientCapabilities.self, from: Data(json.utf8))
        XCTAssertTrue(caps.roots)
        XCTAssertTrue(caps.rootsListChanged)
        XCTAssertTrue(caps.sampling)
        XCTAssertTrue(caps.samplingTools)
        XCTAssertTrue(caps.elicitation)
        XCTAssertTrue(caps.elicitationForm)
        XCTAssertTrue(caps.elicitationURL)
        XCTAssertEqual(caps.raw["experimental"], ["x": 1])

        let none = ClientCapabilities()
        XCTAssertFalse(none.roots || none.rootsListChanged || none.sampling || none.samplingTools)
        XCTAssertFalse(none.elicitation || none.elicitationForm || none.elicitationURL)
    }

    func testElicitationModes() {
        let empty = ClientCapabilities(raw: ["elicitation": [:]])
        XCTAssertTrue(empty.elicitation)
        XCTAssertTrue(empty.elicitationForm, "an empty elicitation object means form mode")
        XCTAssertFalse(empty.elicitationURL)
        let urlOnly = ClientCapabilities(raw: ["elicitation": ["url": [:]]])
        XCTAssertFalse(urlOnly.elicitationForm)
        XCTAssertTrue(urlOnly.elicitationURL)
        let rootsNoFlag = ClientCapabilities(raw: ["roots": [:], "sampling": ["context": [:]]])
        XCTAssertTrue(rootsNoFlag.roots)
        XCTAssertFalse(rootsNoFlag.rootsListChanged)
        XCTAssertFalse(rootsNoFlag.samplingTools)
        XCTAssertFalse(ClientCapabilities(raw: ["roots": nil]).roots)
    }

    func testServerCapabilitiesAccessors() {
        let caps = ServerCapabilities(raw: [
            "tools": ["listChanged": true], "resources": ["subscribe": true, "listChanged": false],
            "prompts": [:], "logging": [:], "completions": [:],
        ])
        XCTAssertTrue(caps.tools)
        XCTAssertTrue(caps.toolsListChanged)
        XCTAssertTrue(caps.resources)
        XCTAssertTrue(caps.resourcesSubscribe)
        XCTAssertFalse(caps.resourcesListChanged)
        XCTAssertTrue(caps.prompts)
        XCTAssertFalse(caps.promptsListChanged)
        XCTAssertTrue(caps.logging)
        XCTAssertTrue(caps.completions)
        let bare = ServerCapabilities()
        XCTAssertFalse(bare.tools || bare.prompts || bare.resources || bare.logging || bare.completions)
    }

    func testUnknownKeysSurviveEncoding() throws {
        let json = #"{"tools":{},"tasks":{"list":{},"requests":{"tools":{"call":{}}}},"vendor.x":[1,2]}"#
        let caps = try JSONDecoder().decode(ServerCapabilities.self, from: Data(json.utf8))
        let back = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(caps))
        XCTAssertEqual(back, try JSONValue(parsing: Array(json.utf8)))
    }

    func testInitializeParamsAndResultRoundTrip() throws {
        let json = #"{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"cli","version":"1.0","title":"CLI","icons":[{"src":"a.png"}],"websiteUrl":"https://x"}}"#
        let params = try JSONDecoder().decode(InitializeParams.self, from: Data(json.utf8))
        XCTAssertEqual(params.protocolVersion, "2025-11-25")
        XCTAssertTrue(params.capabilities.elicitationForm)
        XCTAssertEqual(params.clientInfo.name, "cli")
        XCTAssertEqual(params.clientInfo.title, "CLI")
        XCTAssertEqual(params.clientInfo.extra["websiteUrl"], "https://x")
        let again = try JSONDecoder().decode(InitializeParams.self, from: try JSONEncoder().encode(params))
        XCTAssertEqual(again, params)
        XCTAssertEqual(
            try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(params)),
            try JSONValue(parsing: Array(json.utf8)))

        let result = InitializeResult(
            protocolVersion: ProtocolVersion.v2025_06_18.rawValue,
            capabilities: ServerCapabilities(raw: ["tools": ["listChanged": true]]),
            serverInfo: Implementation(name: "proxy", version: "0.1"))
        let encoded = try JSONEncoder().encode(result)
        let decoded = try JSONDecoder().decode(InitializeResult.self, from: encoded)
        XCTAssertEqual(decoded, result)
        XCTAssertNil(decoded.instructions)
        XCTAssertNil(try JSONDecoder().decode(JSONValue.self, from: encoded)["instructions"])
        XCTAssertTrue(decoded.capabilities.toolsListChanged)
    }

    func testImplementationRequiresNameAndVersion() {
        XCTAssertThrowsError(try JSONDecoder().decode(Implementation.self, from: Data(#"{"name":"x"}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(Implementation.self, from: Data(#"{"version":"1"}"#.utf8)))
    }
}
