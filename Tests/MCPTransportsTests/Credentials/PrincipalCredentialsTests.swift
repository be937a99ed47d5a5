import JSONRPC
import Logging
import NIOConcurrencyHelpers
import Testing
@testable import MCPTransports

/// Header templates rendered from a principal, and the Streamable HTTP transport sending them with
/// an exchanged token (real sockets: a stub MCP server and a stub token endpoint).
@Suite struct PrincipalCredentialsTests {
    static let alice = Principal(subject: "alice", issuer: "https://login", roles: ["support", "admin"], method: .jwt,
                                 claims: ["team": "blue", "evil": "x\r\nX-Injected: 1"], subjectToken: SubjectToken("alice-client-token"))

    @Test func templatesRenderSubjectClaimsAndRoles() {
        let template = PrincipalHeaderTemplate([.text("u="), .subject, .text(";t="), .claim("team"), .text(";r="), .roles, .text(";m="), .claim("missing")])
        #expect(template.render(Self.alice) == "u=alice;t=blue;r=admin,support;m=")
    }

    @Test func controlCharactersFromThePrincipalAreDropped() {
        #expect(PrincipalHeaderTemplate([.claim("evil")]).render(Self.alice) == "xX-Injected: 1")
    }

    @Test func readyHeadersNeedACachedTokenAndFollowThePrincipal() async throws {
        let stub = try await TokenExchangeStub.start()
        let exchange = TokenExchangeClient(
            upstream: "tickets",
            configuration: TokenExchangeConfiguration(tokenEndpoint: stub.url, clientID: "mcp-gateway", clientSecret: "s3:cr&t"),
            httpClient: nil)
        let current = NIOLockedValueBox<Principal?>(Self.alice)
        let credentials = PrincipalCredentials(principal: { current.withLockedValue { $0 } },
                                               templates: [(name: "X-User", template: PrincipalHeaderTemplate([.subject]))], exchange: exchange)
        #expect(credentials.readyHeaders() == nil, "no token cached yet: the transport must fetch")
        let fetched = try await credentials.fetchHeaders()
        #expect(fetched.map(\.name) == ["X-User", "Authorization"])
        #expect(fetched.map(\.value) == ["alice", "Bearer minted-alice-client-token-1"])
        let ready = try #require(credentials.readyHeaders())
        #expect(ready.map(\.value) == fetched.map(\.value))
        // A renewed principal of another subject (never happens within one session, but the
        // rendering must not serve a stale value).
        current.withLockedValue { $0 = Principal(subject: "carol", method: .jwt, subjectToken: SubjectToken("c")) }
        #expect(credentials.readyHeaders() == nil)
        #expect(try await credentials.fetchHeaders().first?.value == "carol")
        current.withLockedValue { $0 = nil }
        await #expect(throws: UpstreamCredentialError.self) { try await credentials.fetchHeaders() }
        await stub.stop()
    }

    private func transport(_ server: StubMCPServer, credentials: any UpstreamCredentials) -> StreamableHTTPClientTransport {
        StreamableHTTPClientTransport(
            name: "tickets",
            configuration: RemoteUpstreamConfiguration(
                url: server.url, kind: .streamableHTTP, headers: ["X-Static": "s", "X-User": "configured"],
                requestTimeout: .seconds(10), connectTimeout: .seconds(1), credentials: credentials),
            logger: Logger(label: "test"))
    }

    @Test func theTransportSendsRenderedHeadersAndTheExchangedTokenOnEveryRequest() async throws {
        let server = try await StubMCPServer.start(getMode: .notAllowed)
        let stub = try await TokenExchangeStub.start()
        let exchange = TokenExchangeClient(
            upstream: "tickets",
            configuration: TokenExchangeConfiguration(tokenEndpoint: stub.url, clientID: "mcp-gateway", clientSecret: "s3:cr&t"),
            httpClient: nil)
        let credentials = PrincipalCredentials(principal: { Self.alice },
                                               templates: [(name: "X-User", template: PrincipalHeaderTemplate([.subject]))], exchange: exchange)
        let transport = transport(server, credentials: credentials)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        #expect(transport.send(StubMessages.initialize(id: 1)))
        #expect(await sink.wait { $0.messages.count == 1 })
        #expect(transport.send(StubMessages.initialized))
        #expect(await pollUntil { server.log.contains { $0.request.method == .GET } })
        transport.send(StubMessages.call(id: 2, tool: "json"))
        #expect(await sink.wait { $0.messages.count == 2 })
        await transport.close()
        let records = server.log
        #expect(records.count >= 5, "initialize, initialized, GET, tools/call, DELETE")
        for record in records {
            #expect(record.request.header("authorization") == "Bearer minted-alice-client-token-1", "\(record.request.method) \(record.rpcMethod ?? "")")
            #expect(record.request.header("x-user") == "alice", "the template wins over the fixed header")
            #expect(record.request.header("x-static") == "s")
            #expect(record.request.headers["authorization"].allSatisfy { !$0.contains("alice-client-token") || $0.contains("minted") })
        }
        #expect(stub.forms.count == 1, "one exchange, then the cache")
        #expect(exchange.count(.hit) >= 4)
        await server.stop()
        await stub.stop()
    }

    @Test func aFailedExchangeAnswersWithAnErrorNamingTheUpstreamAndSendsNothing() async throws {
        let server = try await StubMCPServer.start()
        let stub = try await TokenExchangeStub.start(.refuse(status: .forbidden, error: "access_denied"))
        let exchange = TokenExchangeClient(
            upstream: "tickets",
            configuration: TokenExchangeConfiguration(tokenEndpoint: stub.url, clientID: "mcp-gateway", clientSecret: "s3:cr&t"),
            httpClient: nil)
        let transport = transport(server, credentials: PrincipalCredentials(principal: { Self.alice }, templates: [], exchange: exchange))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        #expect(transport.send(StubMessages.initialize(id: 1)))
        #expect(await sink.wait { $0.messages.count == 1 })
        let error = try #require(StubMessages.error(in: sink.messages[0]))
        #expect(error.id == .number(1))
        let message = error.message ?? ""
        #expect(message.contains("upstream 'tickets'") && message.contains("HTTP 403") && message.contains("not sent"), "\(message)")
        await transport.close()
        #expect(server.log.isEmpty, "the upstream was not contacted")
        await server.stop()
        await stub.stop()
    }
}
