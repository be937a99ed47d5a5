import JSONRPC
import NIOConcurrencyHelpers
import NIOHTTP1
import Testing
@testable import MCPTransports

/// The RFC 8693 client against a token endpoint on a real local socket.
@Suite struct TokenExchangeClientTests {
    static func principal(_ subject: String, token: String? = "client-token-\(Int.random(in: 0..<1_000_000))", expiresAt: Double? = nil) -> Principal {
        Principal(subject: subject, issuer: "https://login", method: .jwt, expiresAt: expiresAt, subjectToken: token.map(SubjectToken.init))
    }

    /// A settable wall clock.
    final class Clock: Sendable {
        private let value = NIOLockedValueBox(1_000_000.0)
        var now: Double { value.withLockedValue { $0 } }
        func advance(_ seconds: Double) { value.withLockedValue { $0 += seconds } }
    }

    func client(_ stub: TokenExchangeStub, clock: Clock = Clock(), outcomes: NIOLockedValueBox<[TokenExchangeOutcome]>? = nil,
                audience: String? = "https://tickets.internal", scope: String? = "tickets.write") -> TokenExchangeClient {
        TokenExchangeClient(
            upstream: "tickets",
            configuration: TokenExchangeConfiguration(tokenEndpoint: stub.url, clientID: "mcp-gateway", clientSecret: "s3:cr&t",
                                                      audience: audience, scope: scope),
            httpClient: nil, now: { clock.now }, onOutcome: { outcome in outcomes?.withLockedValue { $0.append(outcome) } })
    }

    @Test func theGrantCarriesTheClientTokenAndTheProxyAuthenticatesWithBasic() async throws {
        let stub = try await TokenExchangeStub.start()
        let exchange = client(stub)
        let alice = Self.principal("alice", token: "alice-token")
        let token = try await exchange.token(for: alice)
        #expect(token == "minted-alice-token-1")
        #expect(stub.problems.isEmpty, "\(stub.problems)")
        let form = try #require(stub.forms.first)
        #expect(form["subject_token"] == "alice-token")
        #expect(form["audience"] == "https://tickets.internal")
        #expect(form["scope"] == "tickets.write")
        await stub.stop()
    }

    @Test func audienceAndScopeAreLeftOutWhenNotConfigured() async throws {
        let stub = try await TokenExchangeStub.start()
        let exchange = client(stub, audience: nil, scope: nil)
        _ = try await exchange.token(for: Self.principal("alice"))
        let form = try #require(stub.forms.first)
        #expect(form["audience"] == nil && form["scope"] == nil)
        await stub.stop()
    }

    @Test func cachedPerPrincipalUntilExpiresInMinusTheSkew() async throws {
        let stub = try await TokenExchangeStub.start(.mint(expiresIn: 100))
        let clock = Clock()
        let outcomes = NIOLockedValueBox<[TokenExchangeOutcome]>([])
        let exchange = client(stub, clock: clock, outcomes: outcomes)
        let alice = Self.principal("alice", token: "a")
        let bob = Self.principal("bob", token: "b")
        #expect(exchange.cachedToken(for: alice) == nil, "nothing cached yet")
        let first = try await exchange.token(for: alice)
        #expect(try await exchange.token(for: alice) == first)
        #expect(exchange.cachedToken(for: alice) == first)
        let bobs = try await exchange.token(for: bob)
        #expect(bobs != first, "another principal gets its own token")
        #expect(stub.forms.count == 2)
        clock.advance(69)
        #expect(exchange.cachedToken(for: alice) == first, "valid until expires_in (100) minus the 30 s skew")
        clock.advance(2)
        #expect(exchange.cachedToken(for: alice) == nil, "expired 30 s before expires_in")
        let renewed = try await exchange.token(for: alice)
        #expect(renewed != first)
        #expect(stub.forms.count == 3)
        #expect(exchange.count(.hit) == 3 && exchange.count(.miss) == 3 && exchange.count(.failure) == 0)
        #expect(outcomes.withLockedValue { $0 }.filter { $0 == .hit }.count == 3)
        await stub.stop()
    }

    @Test func neverCachedBeyondTheClientsOwnToken() async throws {
        let stub = try await TokenExchangeStub.start(.mint(expiresIn: 3600))
        let clock = Clock()
        let exchange = client(stub, clock: clock)
        let alice = Self.principal("alice", token: "a", expiresAt: clock.now + 60)
        let token = try await exchange.token(for: alice)
        clock.advance(59)
        #expect(exchange.cachedToken(for: alice) == token)
        clock.advance(2)
        #expect(exchange.cachedToken(for: alice) == nil, "the client's token expired, so does the cached exchange")
        await stub.stop()
    }

    @Test func concurrentLookupsShareOneExchange() async throws {
        let stub = try await TokenExchangeStub.start()
        let exchange = client(stub)
        let alice = Self.principal("alice", token: "a")
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await exchange.token(for: alice) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(tokens.count == 1)
        #expect(stub.forms.count == 1)
        await stub.stop()
    }

    @Test func aRefusalNamesTheUpstreamAndTheReasonButNoToken() async throws {
        let stub = try await TokenExchangeStub.start(.refuse(status: .badRequest, error: "invalid_grant"))
        let outcomes = NIOLockedValueBox<[TokenExchangeOutcome]>([])
        let exchange = client(stub, outcomes: outcomes)
        let alice = Self.principal("alice", token: "secret-client-token")
        let error = await #expect(throws: UpstreamCredentialError.self) { try await exchange.token(for: alice) }
        let message = error?.message ?? ""
        #expect(message.contains("upstream 'tickets'") && message.contains("HTTP 400") && message.contains("invalid_grant"), "\(message)")
        #expect(!message.contains("secret-client-token") && !message.contains("s3:cr&t"))
        #expect(exchange.count(.failure) == 1)
        #expect(outcomes.withLockedValue { $0 } == [.miss, .failure])
        // Failures are not cached: the next lookup asks again.
        stub.set(.mint(expiresIn: 3600))
        #expect(try await exchange.token(for: alice).hasPrefix("minted-"))
        await stub.stop()
    }

    @Test func anUnreachableEndpointAndAPrincipalWithoutTokenFail() async throws {
        let port = try await unusedLocalPort()
        let exchange = TokenExchangeClient(
            upstream: "tickets",
            configuration: TokenExchangeConfiguration(tokenEndpoint: "http://127.0.0.1:\(port)/token", clientID: "c", clientSecret: "s", timeout: .seconds(1)),
            httpClient: nil)
        let unreachable = await #expect(throws: UpstreamCredentialError.self) { try await exchange.token(for: Self.principal("alice")) }
        #expect(unreachable?.message.contains("could not be reached") == true, "\(String(describing: unreachable))")
        let apiKey = Principal(subject: "ci", method: .apiKey)
        let noToken = await #expect(throws: UpstreamCredentialError.self) { try await exchange.token(for: apiKey) }
        #expect(noToken?.message.contains("no bearer token") == true)
    }

    @Test func anAnswerWithoutAccessTokenIsAFailure() async throws {
        let http = try await StubHTTPServer.start { _, responder in
            responder.respond(.ok, [("Content-Type", "application/json")], body: #"{"token_type":"Bearer"}"#)
        }
        let exchange = TokenExchangeClient(
            upstream: "tickets",
            configuration: TokenExchangeConfiguration(tokenEndpoint: http.url("/token"), clientID: "c", clientSecret: "s"),
            httpClient: nil)
        let error = await #expect(throws: UpstreamCredentialError.self) { try await exchange.token(for: Self.principal("alice")) }
        #expect(error?.message.contains("without an access_token") == true)
        await http.stop()
    }

    @Test func formEncoding() {
        #expect(TokenExchangeClient.formEncode("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~")
    }

    @Test func theSubjectTokenIsNeverPrinted() {
        let principal = Self.principal("alice", token: "very-secret")
        #expect(!"\(principal)".contains("very-secret"))
        #expect(!String(reflecting: principal.subjectToken!).contains("very-secret"))
        #expect(!"\(String(describing: principal.subjectToken))".contains("very-secret"))
    }
}
