import XCTest
@testable import MCPSecurity

final class RateLimiterTests: XCTestCase {
    private let alice = Principal(subject: "alice", issuer: "idp", roles: ["reader"], method: .jwt)
    private let bob = Principal(subject: "bob", issuer: "idp", method: .jwt)
    private let second: UInt64 = 1_000_000_000
    private let start: UInt64 = 5_000_000_000_000

    private func call(_ limiter: TokenBucketRateLimiter, _ principal: Principal, _ method: MCPMethod = .toolsCall, name: String? = "t", upstream: String? = nil, at now: UInt64) -> RateLimitDecision {
        limiter.check(principal: principal, method: method, name: name, upstream: upstream, now: now)
    }

    func testBurstIsCutExactlyAtBurstAndRefillsByRate() throws {
        let limiter = try TokenBucketRateLimiter(entries: [RateLimitEntry(per: .principal, rate: 2, burst: 5)])
        for index in 0..<5 { XCTAssertEqual(call(limiter, alice, at: start), .allowed, "request \(index)") }
        guard case .limited(let wait, let entry) = call(limiter, alice, at: start) else { return XCTFail("the sixth must be limited") }
        XCTAssertEqual(wait, second / 2, "one token every 500 ms")
        XCTAssertEqual(entry, "per principal 2.0/s burst 5")
        XCTAssertEqual(call(limiter, bob, at: start), .allowed, "another principal is unaffected")
        XCTAssertNotEqual(call(limiter, alice, at: start + second / 2 - 1), .allowed)
        XCTAssertEqual(call(limiter, alice, at: start + second / 2), .allowed, "refilled exactly one token")
        XCTAssertNotEqual(call(limiter, alice, at: start + second / 2), .allowed)
        // After a long pause the bucket is full again, not fuller.
        for _ in 0..<5 { XCTAssertEqual(call(limiter, alice, at: start + 100 * second), .allowed) }
        XCTAssertNotEqual(call(limiter, alice, at: start + 100 * second), .allowed)
    }

    func testFractionalRate() throws {
        let limiter = try TokenBucketRateLimiter(entries: [RateLimitEntry(per: .principal, rate: 0.3, burst: 1)])
        XCTAssertEqual(call(limiter, alice, at: start), .allowed)
        guard case .limited(let wait, _) = call(limiter, alice, at: start) else { return XCTFail() }
        XCTAssertEqual(wait, 3_333_333_334)
        XCTAssertNotEqual(call(limiter, alice, at: start + wait - 1_000), .allowed)
        XCTAssertEqual(call(limiter, alice, at: start + wait), .allowed)
    }

    func testPlumbingIsNotCountedUnlessMethodsSaySo() throws {
        let limiter = try TokenBucketRateLimiter(entries: [RateLimitEntry(per: .principal, rate: 1, burst: 1)])
        for _ in 0..<10 {
            XCTAssertEqual(call(limiter, alice, .initialize, name: nil, at: start), .allowed)
            XCTAssertEqual(call(limiter, alice, .ping, name: nil, at: start), .allowed)
            XCTAssertEqual(call(limiter, alice, .progress, name: nil, at: start), .allowed)
        }
        XCTAssertEqual(call(limiter, alice, .toolsList, name: nil, at: start), .allowed)
        XCTAssertNotEqual(call(limiter, alice, .toolsList, name: nil, at: start), .allowed)

        let pings = try TokenBucketRateLimiter(entries: [RateLimitEntry(per: .principal, rate: 1, burst: 1, methods: ["ping"])])
        XCTAssertEqual(call(pings, alice, .ping, name: nil, at: start), .allowed)
        XCTAssertNotEqual(call(pings, alice, .ping, name: nil, at: start), .allowed)
        XCTAssertEqual(call(pings, alice, .toolsCall, at: start), .allowed, "not counted by a ping-only entry")
        XCTAssertEqual(call(pings, alice, .toolsCall, at: start), .allowed)
    }

    func testPerToolByRoleAndNoPartialConsumption() throws {
        let limiter = try TokenBucketRateLimiter(entries: [
            RateLimitEntry(per: .principal, rate: 1, burst: 10),
            RateLimitEntry(per: .principalAndTool, rate: 1, burst: 2, roles: ["reader"], tools: ["*__search*"]),
        ])
        XCTAssertEqual(call(limiter, alice, name: "a__search", at: start), .allowed)
        XCTAssertEqual(call(limiter, alice, name: "a__search", at: start), .allowed)
        for _ in 0..<5 {
            guard case .limited(_, let entry) = call(limiter, alice, name: "a__search", at: start) else { return XCTFail() }
            XCTAssertTrue(entry.contains("principal+tool"))
        }
        // The refused searches did not drain the per-principal bucket: 8 tokens remain.
        XCTAssertEqual(call(limiter, alice, name: "b__search", at: start), .allowed, "another tool has its own bucket")
        XCTAssertEqual(call(limiter, alice, name: "b__search", at: start), .allowed)
        for _ in 0..<6 { XCTAssertEqual(call(limiter, alice, name: "other", at: start), .allowed) }
        XCTAssertNotEqual(call(limiter, alice, name: "other", at: start), .allowed)
        // Bob is not a reader: only the per-principal entry applies to him.
        for _ in 0..<10 { XCTAssertEqual(call(limiter, bob, name: "a__search", at: start), .allowed) }
    }

    func testPerUpstream() throws {
        let limiter = try TokenBucketRateLimiter(entries: [RateLimitEntry(per: .upstream, rate: 1, burst: 2)])
        XCTAssertEqual(call(limiter, alice, upstream: "git", at: start), .allowed)
        XCTAssertEqual(call(limiter, bob, upstream: "git", at: start), .allowed)
        XCTAssertNotEqual(call(limiter, alice, upstream: "git", at: start), .allowed, "shared by all principals")
        XCTAssertEqual(call(limiter, alice, upstream: "fs", at: start), .allowed)
        XCTAssertEqual(call(limiter, alice, upstream: nil, at: start), .allowed, "not routed: not counted")
    }

    func testIdleBucketsAreEvicted() throws {
        let limiter = try TokenBucketRateLimiter(
            entries: [RateLimitEntry(per: .principal, rate: 10, burst: 20)],
            idleNanoseconds: 60 * second,
            sweepIntervalNanoseconds: 10 * second
        )
        var principals: [Principal] = []
        principals.reserveCapacity(100_000)
        for index in 0..<100_000 { principals.append(Principal(subject: "user\(index)", method: .apiKey)) }
        for principal in principals { XCTAssertEqual(call(limiter, principal, at: start), .allowed) }
        XCTAssertEqual(limiter.bucketCount, 100_000)
        // Still busy recently: kept.
        XCTAssertEqual(call(limiter, alice, at: start + 30 * second), .allowed)
        XCTAssertEqual(limiter.bucketCount, 100_001)
        // A minute later every idle full bucket goes on the next sweep; alice's too.
        XCTAssertEqual(call(limiter, bob, at: start + 91 * second), .allowed)
        XCTAssertEqual(limiter.bucketCount, 1)
    }

    func testHardCapKeepsMemoryBounded() {
        let table = TokenBucketTable<Int>(idleNanoseconds: .max, sweepIntervalNanoseconds: .max, maxEntries: 1000)
        let limit = TokenBucketLimit(rate: 1, burst: 5)
        for key in 0..<10_000 { XCTAssertNil(table.acquire(key, limit: limit, now: start)) }
        XCTAssertLessThanOrEqual(table.count, 1001)
    }

    func testPreAuthLimiter() {
        let limiter = PreAuthLimiter()
        XCTAssertEqual(limiter.limit, PreAuthLimit(rate: 20, burst: 100, failurePenalty: 4))
        for _ in 0..<100 { XCTAssertEqual(limiter.check(remoteAddress: "10.0.0.1", now: start), .allowed) }
        guard case .limited(let wait, "preAuth") = limiter.check(remoteAddress: "10.0.0.1", now: start) else { return XCTFail() }
        XCTAssertEqual(wait, second / 20)
        XCTAssertEqual(PreAuthLimiter.retryAfterSeconds(wait), 1)
        XCTAssertEqual(limiter.check(remoteAddress: "10.0.0.2", now: start), .allowed)
        // Failed authentications cost extra: 5 tokens each in all.
        let other = "10.0.0.3"
        var allowed = 0
        while limiter.check(remoteAddress: other, now: start) == .allowed {
            allowed += 1
            limiter.recordFailedAuthentication(remoteAddress: other, now: start)
        }
        XCTAssertEqual(allowed, 20)
    }
}
