import Foundation
import JSONRPC
import MCPTransports
import XCTest

/// The admission seam: every request to an MCP endpoint is admitted before any session is
/// touched; rejections are written as given; sessions are bound to the principal that made them.
final class AdmissionFrontTests: XCTestCase {
    private let alice = ["Authorization": "Bearer alice"]
    private let bob = ["Authorization": "Bearer bob"]

    private func start(_ admission: FakeAdmission, _ configure: (inout HTTPFrontConfiguration) -> Void = { _ in }) async throws -> FrontFixture {
        try await FrontFixture.start {
            $0.admission = admission
            configure(&$0)
        }
    }

    private func initialize(_ front: FrontFixture, as token: [String: String?]) async throws -> (RawHTTPClient, String) {
        let client = try await front.client()
        let response = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: token)
        XCTAssertEqual(response.status, 200, response.text)
        return (client, try XCTUnwrap(response.header("mcp-session-id")))
    }

    private func upgrade(_ client: RawHTTPClient, headers: [String: String] = [:]) async throws -> TestResponse {
        var text = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mcp\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        try await client.write(text + "\r\n")
        return try await client.readHead()
    }

    func testRejectionIsWrittenAsGivenAndTheConnectionStaysUsable() async throws {
        let admission = FakeAdmission()
        let front = try await start(admission)
        let client = try await front.client()
        let refused = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody)
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.header("www-authenticate"), FakeAdmission.challenge)
        XCTAssertEqual(refused.header("content-type"), "application/json")
        XCTAssertEqual(refused.text, #"{"error":"missing token"}"#)
        XCTAssertEqual(front.server.sessionCount, 0, "a refused request creates no session")
        XCTAssertEqual(front.proxy.count, 0)

        // The same connection, now with a token.
        let admitted = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: alice)
        XCTAssertEqual(admitted.status, 200, admitted.text)
        let session = try await front.proxy.session()
        XCTAssertEqual(session.transport.principal.subject, "alice")
        XCTAssertEqual(session.transport.principal.method, .custom)

        let asked = admission.requests
        XCTAssertEqual(asked.count, 2)
        XCTAssertEqual(asked[1].endpoint, .streamableHTTP)
        XCTAssertEqual(asked[1].httpMethod, "POST")
        XCTAssertEqual(asked[1].path, "/mcp")
        XCTAssertEqual(asked[1].service, "main")
        XCTAssertEqual(asked[1].authorization, "Bearer alice")
        XCTAssertEqual(asked[1].remoteAddress, "127.0.0.1")
        XCTAssertNil(asked[1].sessionID)
        XCTAssertNil(asked[1].peerCertificateSubject)
        await front.stop()
    }

    func testEveryEndpointAndMethodIsAdmittedBeforeSessionLookup() async throws {
        let admission = FakeAdmission()
        let front = try await start(admission)
        let (_, id) = try await initialize(front, as: alice)
        let client = try await front.client()
        // A valid session id does not help without a token: 401, not 404 and not the session.
        for (method, path, headers) in [
            ("POST", "/mcp", ["Mcp-Session-Id": id]), ("GET", "/mcp", ["Mcp-Session-Id": id, "Accept": "text/event-stream"]),
            ("DELETE", "/mcp", ["Mcp-Session-Id": id]), ("GET", "/sse", ["Accept": "text/event-stream"]),
            ("POST", "/messages?sessionId=abc&access_token=x", [:]), ("PUT", "/mcp", [:]),
        ] as [(String, String, [String: String?])] {
            let body: String? = method == "POST" ? toolCall(id: 5, name: "echo") : nil
            let response = try await client.request(method, path, body: body, headers: headers)
            XCTAssertEqual(response.status, 401, "\(method) \(path): \(response.text)")
        }
        let upgradeClient = try await front.client()
        let refusedUpgrade = try await upgrade(upgradeClient)
        XCTAssertEqual(refusedUpgrade.status, 401)
        XCTAssertEqual(refusedUpgrade.header("www-authenticate"), FakeAdmission.challenge)

        let kinds = admission.requests.map(\.endpoint)
        XCTAssertEqual(
            kinds, [.streamableHTTP, .streamableHTTP, .streamableHTTP, .streamableHTTP, .legacySSEStream, .legacySSEMessages, .streamableHTTP, .webSocketUpgrade])
        XCTAssertEqual(admission.requests[1].sessionID, id)
        XCTAssertEqual(admission.requests[5].sessionID, "abc")
        XCTAssertTrue(admission.requests[5].accessTokenInQuery)
        XCTAssertFalse(admission.requests[1].accessTokenInQuery)
        XCTAssertEqual(front.server.sessionCount, 1)
        XCTAssertEqual(front.proxy.count, 1)
        await front.stop()
    }

    func testSlowPathBuffersTheBodyThatArrivesMeanwhile() async throws {
        let admission = FakeAdmission(slow: true, delay: .milliseconds(300))
        let front = try await start(admission)
        let client = try await front.client()
        let body = FrontFixture.initializeBody
        let bytes = Array(body.utf8)
        let head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer alice\r\nAccept: application/json, text/event-stream\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(bytes.count)\r\n\r\n"
        try await client.write(head)
        try await client.write(bytes: Array(bytes[..<20]))
        try await Task.sleep(for: .milliseconds(100))
        try await client.write(bytes: Array(bytes[20..<60]))  // still before the decision
        try await Task.sleep(for: .milliseconds(400))
        try await client.write(bytes: Array(bytes[60...]))  // after it
        let response = try await client.readResponse()
        XCTAssertEqual(response.status, 200, response.text)
        let session = try await front.proxy.session()
        XCTAssertEqual(session.received.first, body, "the whole body reaches the session once")
        XCTAssertEqual(session.transport.principal.subject, "alice")
        XCTAssertEqual(admission.slowPathCount, 1)

        // A complete request whose decision comes later, and a refusal on the slow path.
        let id = try XCTUnwrap(response.header("mcp-session-id"))
        let call = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": id, "Authorization": "Bearer alice"])
        XCTAssertEqual(call.status, 200, call.text)
        XCTAssertTrue(call.text.contains(#""id":2"#), call.text)
        let refused = try await client.request("POST", "/mcp", body: toolCall(id: 3, name: "echo"), headers: ["Mcp-Session-Id": id])
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(admission.slowPathCount, 3)
        await front.stop()
    }

    func testPipelinedRequestsOnTheSlowPathAreAnsweredInOrder() async throws {
        let admission = FakeAdmission(slow: true, delay: .milliseconds(100))
        let front = try await start(admission)
        let (client, id) = try await initialize(front, as: alice)
        var text = ""
        for number in 10..<13 {
            let body = toolCall(id: number, name: "echo")
            text += "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer alice\r\nMcp-Session-Id: \(id)\r\n"
            text += "Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        try await client.write(text)
        for number in 10..<13 {
            let response = try await client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertTrue(response.text.contains(#""id":\#(number)"#), response.text)
        }
        await front.stop()
    }

    func testAnotherPrincipalWithTheSessionIDGets404AndSeesNothing() async throws {
        let front = try await start(FakeAdmission())
        let (aliceClient, id) = try await initialize(front, as: alice)
        let session = try await front.proxy.session()
        let mallory = try await front.client()
        let post = try await mallory.request("POST", "/mcp", body: toolCall(id: 7, name: "echo"), headers: ["Mcp-Session-Id": id, "Authorization": "Bearer bob"])
        XCTAssertEqual(post.status, 404, post.text)
        XCTAssertTrue(post.text.contains("does not exist"), "exactly like an unknown session: \(post.text)")
        let get = try await mallory.request("GET", "/mcp", headers: ["Mcp-Session-Id": id, "Authorization": "Bearer bob", "Accept": "text/event-stream"])
        XCTAssertEqual(get.status, 404)
        let delete = try await mallory.request("DELETE", "/mcp", headers: ["Mcp-Session-Id": id, "Authorization": "Bearer bob"])
        XCTAssertEqual(delete.status, 404)
        XCTAssertEqual(session.received.count, 1, "only alice's initialize reached the session: \(session.received)")
        XCTAssertNil(session.closeReason, "bob's DELETE did not end alice's session")

        // Alice still uses it; a renewed token of the same identity updates the session's principal.
        let call = try await aliceClient.request(
            "POST", "/mcp", body: toolCall(id: 8, name: "echo"), headers: ["Mcp-Session-Id": id, "Authorization": "Bearer alice;role=admin"])
        XCTAssertEqual(call.status, 200, call.text)
        XCTAssertEqual(session.transport.principal.roles, ["admin"])
        XCTAssertEqual(session.transport.principal.subject, "alice")
        await front.stop()
    }

    func testLegacySSESessionIsBoundToItsPrincipal() async throws {
        let front = try await start(FakeAdmission())
        let stream = try await front.client()
        try await stream.send("GET", "/sse", headers: ["Accept": "text/event-stream", "Authorization": "Bearer alice"])
        let opened = try await stream.readHead()
        XCTAssertEqual(opened.status, 200)
        let endpoint = try await stream.nextEvent()
        let session = try await front.proxy.session()
        XCTAssertEqual(session.transport.principal.subject, "alice")
        let poster = try await front.client()
        let foreign = try await poster.request("POST", endpoint.data, body: FrontFixture.initializeBody, headers: bob)
        XCTAssertEqual(foreign.status, 404, foreign.text)
        let own = try await poster.request("POST", endpoint.data, body: FrontFixture.initializeBody, headers: alice)
        XCTAssertEqual(own.status, 202, own.text)
        let arrived = await session.wait { $0.received.count == 1 }
        XCTAssertTrue(arrived)
        await front.stop()
    }

    func testWebSocketUpgradeIsAdmittedOnTheSlowPath() async throws {
        let admission = FakeAdmission(slow: true, delay: .milliseconds(100))
        let front = try await start(admission)
        let client = try await front.client()
        let head = try await upgrade(client, headers: ["Authorization": "Bearer carol;role=reader"])
        XCTAssertEqual(head.status, 101)
        try await client.sendFrame(opcode: 0x1, payload: Array(FrontFixture.initializeBody.utf8))
        let answer = try await client.readFrame()
        XCTAssertTrue(answer.text.contains(#""protocolVersion""#), answer.text)
        let session = try await front.proxy.session()
        XCTAssertEqual(session.transport.principal.subject, "carol")
        XCTAssertEqual(session.transport.principal.roles, ["reader"])
        XCTAssertEqual(admission.slowPathCount, 1, "the upgrade is admitted once")

        let refusedClient = try await front.client()
        let refused = try await upgrade(refusedClient, headers: ["Authorization": "Bearer bad"])
        XCTAssertEqual(refused.status, 401)
        let refusalBody = try await refusedClient.readJSONBody(length: 25)
        XCTAssertEqual(refusalBody, #"{"error":"invalid token"}"#)
        XCTAssertEqual(admission.slowPathCount, 2, "a refused upgrade is not asked about twice")
        XCTAssertEqual(front.proxy.count, 1)
        await front.stop()
    }

    func testStaticDocumentsAreServedWithoutAdmissionToAnyOrigin() async throws {
        let document = Array(#"{"resource":"http://127.0.0.1/mcp","authorization_servers":["https://issuer.test"]}"#.utf8)
        let admission = FakeAdmission()
        let front = try await start(admission) {
            $0.staticDocuments["/.well-known/oauth-protected-resource/mcp"] = HTTPStaticDocument(contentType: "application/json", body: document)
        }
        let client = try await front.client()
        let response = try await client.request(
            "GET", "/.well-known/oauth-protected-resource/mcp", headers: ["Origin": "https://elsewhere.example"])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, document)
        XCTAssertEqual(response.header("content-type"), "application/json")
        XCTAssertEqual(response.header("cache-control"), "public, max-age=300")
        XCTAssertEqual(response.header("access-control-allow-origin"), "*")
        let preflight = try await client.request("OPTIONS", "/.well-known/oauth-protected-resource/mcp")
        XCTAssertEqual(preflight.status, 204)
        XCTAssertEqual(preflight.header("access-control-allow-origin"), "*")
        let post = try await client.request("POST", "/.well-known/oauth-protected-resource/mcp", body: "{}")
        XCTAssertEqual(post.status, 405)
        let missing = try await client.request("GET", "/.well-known/oauth-protected-resource")
        XCTAssertEqual(missing.status, 404, "only configured paths are served")
        XCTAssertTrue(admission.requests.isEmpty, "documents and unknown paths are not admitted")
        await front.stop()
    }

    func testVerifiedClientCertificateSubjectReachesAdmission() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let admission = FakeAdmission()
        let front = try await FrontFixture.start(clientTLS: try certificates.clientContext(presentingClientCertificate: true)) {
            $0.tls = TLSServerSettings(
                certificatePath: certificates.serverCertificate, privateKeyPath: certificates.serverKey, clientCAPath: certificates.authority)
            $0.admission = admission
        }
        let client = try await front.client()
        for _ in 0..<2 {
            let response = try await client.request("POST", "/mcp", body: FrontFixture.initializeBody, headers: alice)
            XCTAssertEqual(response.status, 200, response.text)
        }
        XCTAssertEqual(admission.requests.map(\.peerCertificateSubject), ["CN=test client", "CN=test client"])
        await front.stop()
    }

    func testWithoutAdmissionEveryoneIsAnonymous() async throws {
        let front = try await FrontFixture.start()
        let (client, id) = try await front.initialize()
        let session = try await front.proxy.session()
        XCTAssertTrue(session.transport.principal === Principal.anonymous)
        let call = try await client.request("POST", "/mcp", body: toolCall(id: 2, name: "echo"), headers: ["Mcp-Session-Id": id, "Authorization": "Bearer whoever"])
        XCTAssertEqual(call.status, 200)
        await front.stop()
    }
}
