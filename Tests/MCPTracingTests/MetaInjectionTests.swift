import JSONRPC
import NIOCore
import MCPTracing
import Testing

/// ``MetaInjection`` and ``MetaCarrier``: trace context into and out of `params._meta`, the rest
/// of the message byte for byte.
@Suite struct MetaInjectionTests {
    private func message(_ text: String) throws -> JSONRPCMessage {
        try JSONRPCScanner().scanMessage(ByteBuffer(string: text))
    }

    private func injected(_ text: String, _ values: [String: String]) throws -> String {
        let message = try message(text)
        let output = message.splicing(MetaInjection.splices(values, into: message))
        let result = String(buffer: output)
        // Still one valid JSON-RPC message.
        _ = try JSONRPCScanner().scanMessage(ByteBuffer(string: result))
        return result
    }

    @Test(arguments: [
        // params with _meta and other members: inserted first in _meta
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":7}}}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"traceparent":"00-a-b-01","progressToken":7}}}"#),
        // an empty _meta
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{}}}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"traceparent":"00-a-b-01"}}}"#),
        // params without _meta
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"traceparent":"00-a-b-01"},"name":"x"}}"#),
        // empty params
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"traceparent":"00-a-b-01"}}}"#),
        // no params at all (the scanned message ends at its closing brace)
        (#"{"jsonrpc":"2.0","id":1,"method":"ping"} "#,
         #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"traceparent":"00-a-b-01"}}}"#),
        // the client's own traceparent is replaced, not duplicated
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"traceparent":"00-old-old-00","x":1}}}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"traceparent":"00-a-b-01","x":1}}}"#),
    ])
    func injectsIntoEveryShapeOfParams(input: String, expected: String) throws {
        let output = try injected(input, ["traceparent": "00-a-b-01"])
        #expect(output == expected, "got \(output)")
    }

    @Test func severalKeysAreWrittenInKeyOrderAndEscaped() throws {
        let output = try injected(#"{"jsonrpc":"2.0","id":"q","method":"m","params":{"a":[1,2]}}"#,
                                  ["tracestate": "k=\"v\"", "traceparent": "00-a-b-01"])
        #expect(output == #"{"jsonrpc":"2.0","id":"q","method":"m","params":{"_meta":{"traceparent":"00-a-b-01","tracestate":"k=\"v\""},"a":[1,2]}}"#)
    }

    @Test func nothingToInjectChangesNothing() throws {
        let text = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}"#
        #expect(MetaInjection.splices([:], into: try message(text)).isEmpty)
    }

    @Test func theCarrierReadsStringMembersOfMeta() throws {
        let carrier = MetaCarrier(try message(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"_meta":{"traceparent":"00-t-s-01","progressToken":3,"tracestate":"a=b"}}}"#))
        #expect(carrier.values == ["traceparent": "00-t-s-01", "tracestate": "a=b"])
        #expect(MetaCarrier(try message(#"{"jsonrpc":"2.0","id":1,"method":"m"}"#)).values.isEmpty)
        #expect(MetaCarrier(try message(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"_meta":"nope"}}"#)).values.isEmpty)
    }
}
