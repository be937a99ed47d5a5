import JSONRPC
import XCTest
@testable import MCPSecurity

#if canImport(Glibc)
import Glibc

/// Counts heap allocations on the allow path of the security stages, when the test runs with a
/// malloc-counting library preloaded; skipped otherwise. The zero-allocation assertions hold for
/// optimized builds (`-c release -Xswiftc -enable-testing`); a debug build allocates in unspecialized
/// stdlib loops (even a plain `for` over an array), so there the counts are only printed. The library (build with
/// `cc -shared -fPIC -O2 -o alloccount.so alloccount.c`, run with
/// `LD_PRELOAD=$PWD/alloccount.so swift test --skip-build --filter MCPSecurityTests.AllocationTests`):
///
/// ```c
/// #include <stddef.h>
/// extern void *__libc_malloc(size_t); extern void *__libc_calloc(size_t, size_t);
/// extern void *__libc_realloc(void *, size_t); extern void *__libc_memalign(size_t, size_t);
/// static __thread __attribute__((tls_model("initial-exec"))) unsigned long long mcp_count;
/// void *malloc(size_t n) { mcp_count++; return __libc_malloc(n); }
/// void *calloc(size_t a, size_t b) { mcp_count++; return __libc_calloc(a, b); }
/// void *realloc(void *p, size_t n) { mcp_count++; return __libc_realloc(p, n); }
/// void *aligned_alloc(size_t a, size_t n) { mcp_count++; return __libc_memalign(a, n); }
/// void *memalign(size_t a, size_t n) { mcp_count++; return __libc_memalign(a, n); }
/// int posix_memalign(void **o, size_t a, size_t n) { mcp_count++; void *p = __libc_memalign(a, n); if (!p) return 12; *o = p; return 0; }
/// unsigned long long mcp_test_malloc_count(void) { return mcp_count; }
/// ```
final class AllocationTests: XCTestCase {
    private typealias Counter = @convention(c) () -> UInt64

    private struct Context: PrincipalContext, RoutedContext {
        var principal: Principal
        var upstreamName: String?
    }

    /// The preloaded counter of this thread's allocations, or nil.
    private func counter() -> Counter? {
        guard let symbol = dlsym(nil, "mcp_test_malloc_count") else { return nil }
        return unsafeBitCast(symbol, to: Counter.self)
    }

    /// Allocations per iteration of `body`, after a warm-up.
    private func allocations(_ count: Counter, iterations: Int = 10_000, _ body: () -> Void) -> Double {
        for _ in 0..<100 { body() }
        let before = count()
        for _ in 0..<iterations { body() }
        return Double(count() - before) / Double(iterations)
    }

    func testAllowPathsAllocateNothing() throws {
        guard let count = counter() else { throw XCTSkip("run with the malloc-counting library preloaded (see the doc comment)") }
        let rules = try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["reader"], tools: .init(allow: ["alpha__echo", "alpha__add"]), requireScopes: ["mcp.tools"]),
            AuthorizationRule(scopes: ["admin"], methods: .init(allow: ["*"])),
        ], default: .deny)
        let limiter = try TokenBucketRateLimiter(entries: [
            RateLimitEntry(per: .principal, rate: 1e12, burst: 1_000_000_000),
            RateLimitEntry(per: .principalAndTool, rate: 1e12, burst: 1_000_000_000, tools: ["alpha__*"]),
            RateLimitEntry(per: .upstream, rate: 1e12, burst: 1_000_000_000),
        ])
        let principal = Principal(subject: "rita", issuer: "https://idp", roles: ["reader"], scopes: ["mcp.tools"], method: .jwt)
        let bytes = JSONRPCEncoder.request(idBytes: Array("1".utf8), method: "tools/call", params: Array(#"{"name":"alpha__echo","arguments":{}}"#.utf8))
        let message = try JSONRPCScanner().scanMessage(bytes)
        let template = MCPCall(message: message, method: .toolsCall, idBytes: Array("1".utf8), receivedAt: 1)
        let chain = MiddlewarePair(AuthorizationMiddleware<Context>(authorizer: rules), RoutedRateLimitMiddleware<Context>(limiter: limiter))
        var now: UInt64 = 1

        let authorize = allocations(count) {
            _ = rules.authorize(principal, method: .toolsCall, name: template.name, uri: nil)
        }
        let visible = allocations(count) { _ = rules.isVisible(principal, kind: .tools, name: "alpha__add") }
        let limit = allocations(count) {
            now += 1000
            _ = limiter.check(principal: principal, method: .toolsCall, name: template.name, upstream: "git", now: now)
        }
        let stages = allocations(count) {
            now += 1000
            var call = template
            var context = Context(principal: principal, upstreamName: "git")
            let verdict = chain.handle(&call, context: &context) { _, _ in .forwarded }
            guard case .forwarded = verdict else { return XCTFail("refused") }
        }
        print("allocations per request: authorize \(authorize), isVisible \(visible), limiter \(limit), stages \(stages)")
        #if !DEBUG
        XCTAssertEqual(authorize, 0, "authorize")
        XCTAssertEqual(visible, 0, "isVisible")
        XCTAssertEqual(limit, 0, "rate limit check")
        XCTAssertEqual(stages, 0, "authorization + rate-limit stages")
        #endif
    }

    func testCachedTokenLookupAllocations() async throws {
        guard let count = counter() else { throw XCTSkip("run with the malloc-counting library preloaded (see the doc comment)") }
        let auth = try await JWTAuthenticator(
            configuration: .init(keySource: .secret(TestKeys.secret), issuer: testIssuer, audience: testAudience),
            clock: FakeClock().securityClock
        )
        let token = try mint(header: header("HS256"), payload: claims(), signer: try await testSigner(.hs256))
        let credentials = Credentials(bearerToken: token)
        _ = await auth.authenticate(credentials)
        let keys = try APIKeyAuthenticator(keys: [.init(name: "ci", secret: .plain("plain-key"))])
        let chain = AuthenticatorChain([auth, keys], required: true)
        let apiCredentials = Credentials(apiKey: "plain-key")
        let perLookup = allocations(count) { _ = chain.cachedResult(for: credentials) }
        let perKey = allocations(count) { _ = chain.cachedResult(for: apiCredentials) }
        print("allocations per cached JWT lookup \(perLookup), per API key \(perKey)")
        #if !DEBUG
        // One: swift-crypto's SHA-256 context (a class on Linux) for the token's cache key.
        XCTAssertLessThanOrEqual(perLookup, 1)
        XCTAssertLessThanOrEqual(perKey, 1)
        #endif
    }
}
#endif
