import JSONRPC
import NIOCore
import Testing
@testable import MCPTransports

/// Rung 5: `Mcp-Param-*` headers against the `tools/call` arguments the tool annotates.
struct ModernHeaderParamTests {
    typealias F = ModernHeaderFixtures

    static func missing(_ header: String, _ argument: String) -> String {
        "Mcp-Param-\(header) header is missing but the request body's '\(argument)' argument is present"
    }
    static func mismatch(_ header: String, _ argument: String) -> String {
        "Mcp-Param-\(header) header does not match the request body's '\(argument)' argument"
    }
    static func absent(_ header: String, _ argument: String) -> String {
        "Mcp-Param-\(header) header is present but the request body's '\(argument)' argument is absent"
    }

    /// Each case: arguments, `Mcp-Param-*` lines, and the SDK's message (nil: accepted).
    @Test(arguments: [
        // strings, as is or base64
        (#"{"region":"us-west1"}"#, [("Mcp-Param-Region", "us-west1")], nil),
        (#"{"region":"us-west1"}"#, [("mcp-param-region", "us-west1")], nil),
        (#"{"region":"Zürich"}"#, [("mcp-param-region", "=?base64?WsO8cmljaA==?=")], nil),
        (#"{"region":"Hello, 世界"}"#, [("Mcp-Param-Region", "=?base64?SGVsbG8sIOS4lueVjA==?=")], nil),
        (#"{"region":" padded "}"#, [("Mcp-Param-Region", "=?base64?IHBhZGRlZCA=?=")], nil),
        (#"{"region":"line1\nline2"}"#, [("Mcp-Param-Region", "=?base64?bGluZTEKbGluZTI=?=")], nil),
        (#"{"region":"=?base64?literal?="}"#, [("Mcp-Param-Region", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=")], nil),
        (#"{"region":"=?base64?literal?="}"#, [("Mcp-Param-Region", "=?base64?literal?=")], "Mcp-Param-Region header carries a malformed base64 sentinel value"),
        (#"{"region":"us-west1"}"#, [("Mcp-Param-Region", "=?base64?dXMtd2VzdDE=?=")], nil),
        (#"{"region":"us-west1"}"#, [("Mcp-Param-Region", "US-WEST1")], mismatch("Region", "region")),
        (#"{"region":"Zürich"}"#, [("Mcp-Param-Region", "Zürich")], "Mcp-Param-Region header carries characters outside printable ASCII; send such values as =?base64?…?="),
        (#"{"region":"us-west1"}"#, [("Mcp-Param-Region", "=?base64?dXMtd2VzdDE?=")], "Mcp-Param-Region header carries a malformed base64 sentinel value"),
        (#"{"region":"us-west1"}"#, [], missing("Region", "region")),
        (#"{}"#, [("Mcp-Param-Region", "us-west1")], absent("Region", "region")),
        (#"{"region":null}"#, [("Mcp-Param-Region", "us-west1")], absent("Region", "region")),
        (#"{"region":null}"#, [], nil),
        (#"{"region":"a"}"#, [("Mcp-Param-Region", "a"), ("mcp-param-REGION", "a")], "Mcp-Param-Region header appears more than once"),
        (#"{"region":"a","region":"b"}"#, [("Mcp-Param-Region", "a")], "Mcp-Param-Region header cannot be checked: the request body's 'region' argument appears more than once"),
        // integers: numeric comparison with plain decimals
        (#"{"count":42}"#, [("Mcp-Param-Count", "42")], nil),
        (#"{"count":42}"#, [("Mcp-Param-Count", "42.0")], nil),
        (#"{"count":42}"#, [("Mcp-Param-Count", "042")], nil),
        (#"{"count":42.0}"#, [("Mcp-Param-Count", "42")], nil),
        (#"{"count":4.2e1}"#, [("Mcp-Param-Count", "42")], nil),
        (#"{"count":0}"#, [("Mcp-Param-Count", "-0")], nil),
        (#"{"count":-7}"#, [("Mcp-Param-Count", "-7.000")], nil),
        (#"{"count":42}"#, [("Mcp-Param-Count", "42.5")], mismatch("Count", "count")),
        (#"{"count":42}"#, [("Mcp-Param-Count", "4.2e1")], mismatch("Count", "count")),
        (#"{"count":42}"#, [("Mcp-Param-Count", "+42")], mismatch("Count", "count")),
        (#"{"count":42}"#, [("Mcp-Param-Count", "43")], mismatch("Count", "count")),
        (#"{"count":42}"#, [("Mcp-Param-Count", "=?base64?NDI=?=")], nil),
        (#"{"count":9007199254740993}"#, [("Mcp-Param-Count", "9007199254740993.0")], nil),
        (#"{"count":9007199254740993}"#, [("Mcp-Param-Count", "9007199254740992")], mismatch("Count", "count")),
        (#"{"count":42}"#, [], missing("Count", "count")),
        (#"{"count":"42"}"#, [("Mcp-Param-Count", "42")], nil),  // a string is compared as text
        (#"{"count":"42"}"#, [("Mcp-Param-Count", "42.0")], mismatch("Count", "count")),
        // booleans
        (#"{"dry":true}"#, [("Mcp-Param-Dry-Run", "true")], nil),
        (#"{"dry":false}"#, [("mcp-param-dry-run", "false")], nil),
        (#"{"dry":true}"#, [("Mcp-Param-Dry-Run", "True")], mismatch("Dry-Run", "dry")),
        (#"{"dry":true}"#, [("Mcp-Param-Dry-Run", "1")], mismatch("Dry-Run", "dry")),
        (#"{"dry":false}"#, [], missing("Dry-Run", "dry")),
        // a string-typed argument holding a number compares as text
        (#"{"label":42}"#, [("Mcp-Param-Label", "42.0")], mismatch("Label", "label")),
        (#"{"label":42}"#, [("Mcp-Param-Label", "42")], nil),
        (#"{"label":-0}"#, [("Mcp-Param-Label", "0")], nil),  // an integer literal renders canonically
        (#"{"label":4.5}"#, [("Mcp-Param-Label", "4.5")], nil),
        // nested paths
        (#"{"target":{"zone":3}}"#, [("Mcp-Param-Zone", "3")], nil),
        (#"{"target":{"zone":3}}"#, [], missing("Zone", "target.zone")),
        (#"{"target":{}}"#, [("Mcp-Param-Zone", "3")], absent("Zone", "target.zone")),
        (#"{"target":"flat"}"#, [("Mcp-Param-Zone", "3")], absent("Zone", "target.zone")),
        // values with no header form
        (#"{"region":{"a":1}}"#, [], nil),
        (#"{"region":["a"]}"#, [("Mcp-Param-Region", "a")], mismatch("Region", "region")),
        // headers the annotations do not name are not checked
        (#"{"free":"x"}"#, [("Mcp-Param-Free", "y"), ("Mcp-Param-Tenant", "acme")], nil),
        // all at once
        (#"{"region":"eu","count":1,"dry":false,"target":{"zone":9}}"#,
         [("Mcp-Param-Zone", "9"), ("Mcp-Param-Dry-Run", "false"), ("Mcp-Param-Count", "1"), ("Mcp-Param-Region", "eu")], nil),
    ] as [(String, [(name: String, value: String)], String?)])
    func paramRule(arguments: String, lines: [(name: String, value: String)], message: String?) throws {
        let refusal = ModernHeaderCheck.params(F.headers(lines), request: try F.call(arguments), annotations: try F.deployAnnotations())
        #expect(refusal?.message == message)
        if let refusal {
            #expect(refusal.code.rawValue == -32020)
            #expect(refusal.httpStatus == 400)
        }
    }

    /// The exact bodies the SDK answers (era-2026.md §2.3, ids 7 and 8).
    @Test func errorBodiesMatchTheSDK() throws {
        let annotations = try F.deployAnnotations()
        let missing = try #require(ModernHeaderCheck.params(F.headers(), request: try F.call(#"{"region":"eu"}"#), annotations: annotations))
        #expect(String(buffer: missing.errorResponse(idBytes: Array("7".utf8)))
            == #"{"jsonrpc":"2.0","id":7,"error":{"code":-32020,"message":"Mcp-Param-Region header is missing but the request body's 'region' argument is present"}}"#)
        let mismatch = try #require(ModernHeaderCheck.params(
            F.headers([("Mcp-Param-Region", "us")]), request: try F.call(#"{"region":"eu"}"#), annotations: annotations))
        #expect(String(buffer: mismatch.errorResponse(idBytes: Array("8".utf8)))
            == #"{"jsonrpc":"2.0","id":8,"error":{"code":-32020,"message":"Mcp-Param-Region header does not match the request body's 'region' argument"}}"#)
    }

    @Test func argumentsThatAreAbsentNullOrNotAnObject() throws {
        let annotations = try F.deployAnnotations()
        let header = F.headers([("Mcp-Param-Region", "eu")])
        let noArguments = try F.request("tools/call", #""name":"deploy""#)
        #expect(ModernHeaderCheck.params(header, request: noArguments, annotations: annotations)
            == ModernHeaderRefusal(.paramWithoutArgument(header: "Mcp-Param-Region", argument: "region")))
        #expect(ModernHeaderCheck.params(F.headers(), request: noArguments, annotations: annotations) == nil)
        let nullArguments = try F.call("null")
        #expect(ModernHeaderCheck.params(header, request: nullArguments, annotations: annotations) != nil)
        // Not an object: the tool rejects the call; no header rule applies (as in the SDK).
        #expect(ModernHeaderCheck.params(header, request: try F.call("[1]"), annotations: annotations) == nil)
    }

    @Test func onlyToolsCallIsChecked() throws {
        let annotations = try F.deployAnnotations()
        let prompt = try F.request("prompts/get", #""name":"deploy","arguments":{"region":"eu"}"#)
        #expect(ModernHeaderCheck.params(F.headers(method: "prompts/get"), request: prompt, annotations: annotations) == nil)
        #expect(ModernHeaderCheck.params(F.headers(), request: try F.call(#"{"region":"eu"}"#), annotations: .none) == nil)
    }
}
