import Foundation
import Logging
import MCPTransports
import XCTest

final class HTTPAdminServerTests: XCTestCase {
    func testAnswersGETFromTheHandlerAndRefusesOtherMethods() async throws {
        let admin = HTTPAdminServer(host: "127.0.0.1", port: 0, logger: Logger(label: "admin-test")) { method, path in
            path == "/metrics" ? (200, "text/plain; version=0.0.4", "requests_total 3\n") : (404, "text/plain", "no page at \(path)\n")
        }
        let address = try await admin.start()
        let client = try await RawHTTPClient.connect(port: address.port)
        let metrics = try await client.request("GET", "/metrics?x=1")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertEqual(metrics.header("content-type"), "text/plain; version=0.0.4")
        XCTAssertEqual(metrics.text, "requests_total 3\n")
        let missing = try await client.request("GET", "/nope")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.text, "no page at /nope\n")
        let post = try await client.request("POST", "/metrics", body: "{}")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("allow"), "GET")
        await admin.shutdown()
        let closed = await client.waitUntilClosed()
        XCTAssertTrue(closed)
    }
}
