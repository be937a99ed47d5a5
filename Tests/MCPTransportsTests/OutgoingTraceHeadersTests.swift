import JSONRPC
import NIOCore
import XCTest
@testable import MCPTransports

/// The Streamable HTTP upstream client sends the W3C trace context of `params._meta` as headers.
final class OutgoingTraceHeadersTests: XCTestCase {
    private func headers(_ text: String) -> [String] {
        OutgoingMessage(ByteBuffer(string: text), scanner: JSONRPCScanner()).traceHeaders.map { "\($0.name): \($0.value)" }
    }

    func testTraceContextInMetaBecomesHeaders() {
        XCTAssertEqual(
            headers(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"traceparent":"00-abc-def-01","tracestate":"k=v"},"name":"x"}}"#),
            ["traceparent: 00-abc-def-01", "tracestate: k=v"])
    }

    func testNoTraceContextNoHeaders() {
        XCTAssertEqual(headers(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}"#), [])
        // The word in an argument is not trace context.
        XCTAssertEqual(headers(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"traceparent":"no"}}}"#), [])
        // Values that cannot be header values are not sent.
        XCTAssertEqual(headers(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"_meta":{"traceparent":"a\nb"}}}"#), [])
    }
}
