@testable import MCPTransports
import XCTest

final class RemoteURLTests: XCTestCase {
    func testParsesSchemeHostPortAndPath() throws {
        let url = try RemoteURL(parsing: "HTTPS://Example.com:8443/mcp/v1?x=1#frag")
        XCTAssertEqual(url.scheme, "https")
        XCTAssertEqual(url.host, "Example.com")
        XCTAssertEqual(url.port, 8443)
        XCTAssertEqual(url.pathAndQuery, "/mcp/v1?x=1")
        XCTAssertEqual(try RemoteURL(parsing: "ws://[::1]:9000").pathAndQuery, "/")
        XCTAssertEqual(try RemoteURL(parsing: "ws://[::1]:9000").hostHeader, "[::1]:9000")
        XCTAssertEqual(try RemoteURL(parsing: "wss://h?q").pathAndQuery, "/?q")
        XCTAssertEqual(try RemoteURL(parsing: "wss://h").effectivePort, 443)
        XCTAssertEqual(try RemoteURL(parsing: "http://h").effectivePort, 80)
    }

    func testRejectsWhatATransportCannotUse() {
        for bad in ["example.com/mcp", "ftp://h/x", "http://user:pw@h/", "http://:80/", "http://h:0/", "http://h:99999/", "http://[::1/"] {
            XCTAssertThrowsError(try RemoteURL(parsing: bad), bad)
        }
    }

    func testResolvesEndpointReferences() throws {
        let base = try RemoteURL(parsing: "http://127.0.0.1:8080/mcp/sse?token=1")
        let cases = [
            ("/messages?sessionId=a", "http://127.0.0.1:8080/messages?sessionId=a"),
            ("messages?sessionId=a", "http://127.0.0.1:8080/mcp/messages?sessionId=a"),
            ("./messages", "http://127.0.0.1:8080/mcp/messages"),
            ("../messages/", "http://127.0.0.1:8080/messages/"),
            ("../../../x", "http://127.0.0.1:8080/x"),
            ("?sessionId=b", "http://127.0.0.1:8080/mcp/sse?sessionId=b"),
            ("//other:1/m", "http://other:1/m"),
            ("https://other/m", "https://other/m"),
        ]
        for (reference, expected) in cases {
            XCTAssertEqual(try base.resolving(reference).absoluteString, expected, reference)
        }
        XCTAssertTrue(try base.resolving("/m").isSameOrigin(as: base))
        XCTAssertTrue(try RemoteURL(parsing: "http://127.0.0.1:80/").isSameOrigin(as: RemoteURL(parsing: "http://127.0.0.1/")))
        XCTAssertFalse(try base.resolving("//other:8080/m").isSameOrigin(as: base))
        XCTAssertFalse(try base.resolving("https://127.0.0.1:8080/m").isSameOrigin(as: base))
    }
}
