import MCPTransports
import XCTest

/// `trustedProxies` on a real front over loopback: the address admission sees (the one
/// per-address limits key on) comes from a trusted balancer's `X-Forwarded-For` / `Forwarded`,
/// on every transport; without trusted proxies, or from another peer, the headers change nothing.
final class TrustedProxiesFrontTests: XCTestCase {
    private let alice = "Bearer alice"

    private func start(trusting cidrs: [String], _ configure: (inout HTTPFrontConfiguration) -> Void = { _ in }) async throws -> (FrontFixture, FakeAdmission) {
        let admission = FakeAdmission()
        let trusted = try TrustedProxies(cidrs: cidrs)
        let front = try await FrontFixture.start {
            $0.admission = admission
            $0.trustedProxies = trusted
            configure(&$0)
        }
        return (front, admission)
    }

    /// The address admission was given for a POST carrying `headers`.
    private func admittedAddress(_ front: FrontFixture, _ admission: FakeAdmission, headers: [String: String?]) async throws -> String? {
        let client = try await front.client()
        let before = admission.requests.count
        let response = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: headers.merging(["Authorization": alice]) { $1 })
        XCTAssertEqual(response.status, 200, response.text)
        await client.close()
        XCTAssertEqual(admission.requests.count, before + 1)
        return admission.requests.last?.remoteAddress
    }

    func testATrustedPeersHeadersNameTheClient() async throws {
        let (front, admission) = try await start(trusting: ["127.0.0.1/32"])
        let plain = try await admittedAddress(front, admission, headers: [:])
        XCTAssertEqual(plain, "127.0.0.1", "no header: the peer")
        let forwarded = try await admittedAddress(front, admission, headers: ["X-Forwarded-For": "203.0.113.5"])
        XCTAssertEqual(forwarded, "203.0.113.5")
        let spoofed = try await admittedAddress(front, admission, headers: ["X-Forwarded-For": "6.6.6.6, 203.0.113.5"])
        XCTAssertEqual(spoofed, "203.0.113.5", "right-most untrusted hop")
        let rfc = try await admittedAddress(front, admission, headers: ["Forwarded": #"for="[2001:db8::7]:4711";proto=http"#])
        XCTAssertEqual(rfc, "2001:db8::7")
        let disagree = try await admittedAddress(front, admission, headers: ["Forwarded": "for=1.2.3.4", "X-Forwarded-For": "203.0.113.5"])
        XCTAssertEqual(disagree, "127.0.0.1", "two headers naming different clients: neither is believed")
        await front.stop()
    }

    func testEveryLineOfTheHeaderCounts() async throws {
        // A balancer that adds its own X-Forwarded-For line after the client's forged one.
        let (front, admission) = try await start(trusting: ["127.0.0.1/32"])
        let client = try await front.client()
        let body = FrontFixture.initializeBody
        try await client.write(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
                + "Authorization: \(alice)\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 203.0.113.8\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let response = try await client.readResponse()
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(admission.requests.last?.remoteAddress, "203.0.113.8")
        await front.stop()
    }

    func testWithoutTrustedProxiesOrFromAnotherPeerTheHeadersAreIgnored() async throws {
        let (front, admission) = try await start(trusting: [])
        let address = try await admittedAddress(front, admission, headers: ["X-Forwarded-For": "203.0.113.5", "Forwarded": "for=203.0.113.5"])
        XCTAssertEqual(address, "127.0.0.1")
        await front.stop()

        let (other, otherAdmission) = try await start(trusting: ["10.0.0.0/8", "::1/128"])
        let fromOther = try await admittedAddress(other, otherAdmission, headers: ["X-Forwarded-For": "203.0.113.5"])
        XCTAssertEqual(fromOther, "127.0.0.1", "127.0.0.1 is no trusted proxy here")
        await other.stop()
    }

    func testTheWebSocketUpgradeIsAdmittedWithTheForwardedClient() async throws {
        let (front, admission) = try await start(trusting: ["127.0.0.1/32"])
        let client = try await front.client()
        try await client.write(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mcp\r\n"
                + "Authorization: \(alice)\r\nX-Forwarded-For: 198.51.100.20\r\n\r\n")
        let head = try await client.readHead()
        XCTAssertEqual(head.status, 101)
        XCTAssertEqual(admission.requests.last?.endpoint, .webSocketUpgrade)
        XCTAssertEqual(admission.requests.last?.remoteAddress, "198.51.100.20")
        await front.stop()
    }

    func testATrustedBalancerIsNotHeldToThePerAddressConnectionCap() async throws {
        let (front, _) = try await start(trusting: ["127.0.0.1/32"]) { $0.maxConnectionsPerAddress = 1 }
        var clients: [RawHTTPClient] = []
        for _ in 0..<3 { clients.append(try await front.client()) }
        try await Task.sleep(for: .milliseconds(200))
        for client in clients {
            let closed = await client.waitUntilClosed(timeout: .milliseconds(1))
            XCTAssertFalse(closed, "a balancer's connections carry many clients")
        }
        XCTAssertEqual(front.server.connectionStatistics.refusedOverAddress, 0)
        await front.stop()

        let (untrusted, _) = try await start(trusting: ["10.0.0.0/8"]) { $0.maxConnectionsPerAddress = 1 }
        var others: [RawHTTPClient] = []
        for _ in 0..<3 { others.append(try await untrusted.client()) }
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(untrusted.server.connectionStatistics.refusedOverAddress, 2, "any other peer keeps the cap")
        await untrusted.stop()
    }
}
