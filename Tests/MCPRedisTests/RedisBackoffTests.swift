import MCPRedis
import Testing

/// The reconnect backoff: a Redis that comes back is used again within the cap (2 s by default),
/// however long it was down, which is what keeps the scale-out issue's "replicas reconnect
/// within 10 s" with room to spare.
struct RedisBackoffTests {
    @Test func delaysDoubleFromFiftyMillisecondsAndNeverExceedTwoSeconds() {
        let backoff = RedisBackoff()
        for attempt in 0..<64 {
            let delay = backoff.delay(attempt: attempt)
            let ceiling = min(Duration.milliseconds(50) * (1 << min(attempt, 20)), .seconds(2))
            #expect(delay <= ceiling, "attempt \(attempt): \(delay)")
            #expect(delay >= ceiling / 2, "attempt \(attempt): \(delay) is below half its ceiling \(ceiling)")
        }
        #expect(backoff.delay(attempt: 1_000_000) <= .seconds(2))
    }

    @Test func theCapIsReachedAfterAFewAttempts() {
        // 50 ms × 2⁶ = 3.2 s: from the sixth retry on, every wait is between 1 and 2 s.
        let backoff = RedisBackoff()
        #expect((6..<30).allSatisfy { backoff.delay(attempt: $0) >= .seconds(1) && backoff.delay(attempt: $0) <= .seconds(2) })
    }
}
