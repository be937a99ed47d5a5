import JSONRPC
import NIOCore
import Testing
@testable import MCPTransports

/// `x-mcp-header` extraction and the spec's validity rules.
struct XMCPHeaderAnnotationsTests {
    static func annotations(_ schema: String) throws -> XMCPHeaderAnnotations {
        try XMCPHeaderAnnotations(inputSchema: JSONView.parse(ByteBuffer(string: schema)))
    }

    @Test func readsTopLevelAndNestedAnnotationsInDocumentOrder() throws {
        let found = try Self.annotations(#"""
            {"type":"object","properties":{
              "region":{"type":"string","x-mcp-header":"Region"},
              "target":{"type":"object","properties":{
                 "zone":{"type":"integer","x-mcp-header":"Zone"},
                 "dry":{"x-mcp-header":"Dry-Run","type":"boolean"}}},
              "note":{"type":"string"}},
             "required":["region"]}
            """#)
        #expect(found.entries == [
            .init(path: ["region"], token: "Region", type: .string),
            .init(path: ["target", "zone"], token: "Zone", type: .integer),
            .init(path: ["target", "dry"], token: "Dry-Run", type: .boolean),
        ])
        #expect(found.entries.map(\.headerName) == ["Mcp-Param-Region", "Mcp-Param-Zone", "Mcp-Param-Dry-Run"])
        #expect(found.entries.map(\.argumentName) == ["region", "target.zone", "target.dry"])
    }

    @Test(arguments: [
        #"{"type":"object"}"#,
        #"{"type":"object","properties":{}}"#,
        #"{"type":"object","properties":{"a":{"type":"string","default":{"x-mcp-header":"ignored"}}}}"#,
        #"{"type":"object","properties":{"x-mcp-header":{"type":"string"}}}"#,  // a property so named
        #"{"properties":{"a":{"type":"string","examples":[{"x-mcp-header":"no"}],"const":{"x-mcp-header":"no"}}}}"#,
        "[]", "null", "\"text\"",
    ])
    func schemasWithoutAnnotations(schema: String) throws {
        #expect(try Self.annotations(schema).isEmpty)
    }

    @Test func aMissingSchemaHasNoAnnotations() throws {
        #expect(try XMCPHeaderAnnotations(inputSchema: nil) == .none)
    }

    /// Each schema breaks one rule; the reason names it.
    @Test(arguments: [
        (#"{"properties":{"a":{"type":"string","x-mcp-header":""}}}"#, "is not an RFC 9110 token"),
        (#"{"properties":{"a":{"type":"string","x-mcp-header":"Has Space"}}}"#, "is not an RFC 9110 token"),
        (#"{"properties":{"a":{"type":"string","x-mcp-header":"a:b"}}}"#, "is not an RFC 9110 token"),
        (#"{"properties":{"a":{"type":"string","x-mcp-header":"Zürich"}}}"#, "is not an RFC 9110 token"),
        (#"{"properties":{"a":{"type":"string","x-mcp-header":7}}}"#, "must be a string"),
        (#"{"properties":{"a":{"type":"number","x-mcp-header":"A"}}}"#, "(got 'number')"),
        (#"{"properties":{"a":{"type":"object","x-mcp-header":"A"}}}"#, "(got 'object')"),
        (#"{"properties":{"a":{"type":"array","x-mcp-header":"A"}}}"#, "(got 'array')"),
        (#"{"properties":{"a":{"x-mcp-header":"A"}}}"#, "the type keyword is not a string"),
        (#"{"properties":{"a":{"type":["string","null"],"x-mcp-header":"A"}}}"#, "the type keyword is not a string"),
        (#"{"properties":{"a":{"type":"string","x-mcp-header":"Region"},"b":{"type":"string","x-mcp-header":"region"}}}"#,
         "duplicates property 'a'"),
        (#"{"properties":{"a":{"type":"string","x-mcp-header":"R"},"n":{"properties":{"b":{"type":"integer","x-mcp-header":"r"}}}}}"#,
         "duplicates property 'a'"),
        (#"{"type":"string","x-mcp-header":"Root"}"#, "not reachable via a pure `properties` chain"),
        (#"{"properties":{"a":{"type":"array","items":{"type":"string","x-mcp-header":"I"}}}}"#, "not reachable"),
        (#"{"oneOf":[{"properties":{"a":{"type":"string","x-mcp-header":"O"}}}]}"#, "not reachable"),
        (#"{"anyOf":[{"type":"string","x-mcp-header":"O"}]}"#, "not reachable"),
        (#"{"allOf":[{"properties":{"a":{"type":"string","x-mcp-header":"O"}}}]}"#, "not reachable"),
        (#"{"properties":{"a":{"not":{"type":"string","x-mcp-header":"N"}}}}"#, "not reachable"),
        (#"{"if":{"properties":{"a":{"type":"string","x-mcp-header":"I"}}},"then":{}}"#, "not reachable"),
        (#"{"then":{"properties":{"a":{"type":"string","x-mcp-header":"T"}}}}"#, "not reachable"),
        (#"{"else":{"properties":{"a":{"type":"string","x-mcp-header":"E"}}}}"#, "not reachable"),
        (##"{"$defs":{"d":{"type":"string","x-mcp-header":"D"}},"properties":{"a":{"$ref":"#/$defs/d"}}}"##, "not reachable"),
        (#"{"additionalProperties":{"type":"string","x-mcp-header":"X"}}"#, "not reachable"),
        (#"{"patternProperties":{"^a":{"type":"string","x-mcp-header":"P"}}}"#, "not reachable"),
        (#"{"properties":{"a":{"type":"string","x-mcp-header":"A","x-mcp-header":"B"}}}"#, "more than one 'x-mcp-header'"),
        (#"{"properties":{"a":{"type":"string","type":"object","x-mcp-header":"A"}}}"#, "more than one 'type'"),
    ] as [(String, String)])
    func invalidAnnotationsAreRefused(schema: String, reason: String) throws {
        let view = try JSONView.parse(ByteBuffer(string: schema))
        #expect {
            _ = try XMCPHeaderAnnotations(inputSchema: view)
        } throws: { error in
            guard let error = error as? XMCPHeaderAnnotationError else { return false }
            return error.reason.contains(reason) && error.description.contains("dropped from tools/list")
        }
    }

    @Test(arguments: ["a", "Region", "X-Trace_Id.v2", "!#$%&'*+-.^_`|~", "0"])
    func tokens(token: String) {
        #expect(XMCPHeaderAnnotations.isToken(token))
    }

    @Test(arguments: ["", " ", "a b", "a/b", "a\"b", "(x)", "a,b", "é", "a\tb", "a=b", "a@b", "[x]", "{x}"])
    func notTokens(text: String) {
        #expect(!XMCPHeaderAnnotations.isToken(text))
    }
}
