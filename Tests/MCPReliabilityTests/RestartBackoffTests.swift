import MCPReliability
import Testing

@Suite struct RestartBackoffTests {
    @Test func doublesUpToTheMaximum() {
        let backoff = RestartBackoff(first: .milliseconds(500), maximum: .seconds(3))
        let delays = (1...5).map { backoff.delay(attempt: $0) }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3)])
        #expect(backoff.delay(attempt: 0) == .milliseconds(500))
        #expect(backoff.delay(attempt: 1_000) == .seconds(3))
    }

    @Test func maximumIsAtLeastFirst() {
        #expect(RestartBackoff(first: .seconds(5), maximum: .seconds(1)).maximum == .seconds(5))
    }
}
