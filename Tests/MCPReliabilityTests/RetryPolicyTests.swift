import MCPReliability
import Testing

@Suite struct RetryPolicyTests {
    @Test func defaultsAndNone() {
        let policy = RetryPolicy()
        #expect(policy.attempts == 2)
        #expect(policy.backoff == .milliseconds(50))
        #expect(policy.maxBackoff == .seconds(2))
        #expect(policy.maxRetries == 1)
        #expect(RetryPolicy.none.attempts == 1)
        #expect(RetryPolicy.none.maxRetries == 0)
    }

    @Test func initClampsOutOfRangeValues() {
        let policy = RetryPolicy(attempts: 0, backoff: .seconds(3), maxBackoff: .seconds(1))
        #expect(policy.attempts == 1)
        #expect(policy.maxBackoff == .seconds(3))
        #expect(RetryPolicy(backoff: .seconds(-1)).backoff == .zero)
    }

    @Test func nominalDelayDoublesUpToTheCap() {
        let policy = RetryPolicy(attempts: 10, backoff: .milliseconds(50), maxBackoff: .seconds(2))
        let delays = (1...8).map { policy.nominalDelay(beforeRetry: $0) }
        #expect(delays == [50, 100, 200, 400, 800, 1600, 2000, 2000].map { Duration.milliseconds($0) })
        #expect(policy.nominalDelay(beforeRetry: 0) == .milliseconds(50))
        #expect(policy.nominalDelay(beforeRetry: 10_000) == .seconds(2))
    }

    @Test func hugeDurationsDoNotOverflow() {
        let policy = RetryPolicy(backoff: .seconds(1_000_000_000), maxBackoff: .seconds(Int64.max))
        var random = SeededRandom(seed: 1)
        let delay = policy.delay(beforeRetry: 40, using: &random)
        #expect(delay >= .seconds(1_000_000_000))
    }

    @Test(arguments: 1...6)
    func jitterStaysBetweenHalfAndFull(retry: Int) {
        let policy = RetryPolicy(attempts: 10)
        let full = policy.nominalDelay(beforeRetry: retry)
        var random = SeededRandom(seed: UInt64(retry))
        let samples = (0..<2_000).map { _ in policy.delay(beforeRetry: retry, using: &random) }
        #expect(samples.allSatisfy { $0 >= full / 2 && $0 <= full })
        // Spread over the whole range, not stuck at one end.
        #expect(samples.min().map { $0 < full * 0.55 } == true)
        #expect(samples.max().map { $0 > full * 0.95 } == true)
    }

    @Test func zeroBackoffMeansNoDelay() {
        let policy = RetryPolicy(attempts: 3, backoff: .zero, maxBackoff: .zero)
        var random = SeededRandom(seed: 7)
        #expect(policy.delay(beforeRetry: 2, using: &random) == .zero)
    }
}
