import MCPReliability
import Testing

@Suite struct RetryBudgetTests {
    let clock = ManualClock()

    @Test func theFloorAllowsRetriesWithoutTraffic() {
        let budget = RetryBudget(ratio: 0.2, minimumRetriesPerSecond: 1, window: .seconds(10), clock: clock)
        let granted = (0..<15).filter { _ in budget.tryWithdraw() }.count
        #expect(granted == 10)
        #expect(budget.retriesInWindow == 10)
        #expect(budget.requestsInWindow == 0)
    }

    @Test func theRatioScalesWithRequests() {
        let budget = RetryBudget(ratio: 0.5, minimumRetriesPerSecond: 0, window: .seconds(10), clock: clock)
        #expect(!budget.tryWithdraw())
        for _ in 0..<10 { budget.recordRequest() }
        let granted = (0..<10).filter { _ in budget.tryWithdraw() }.count
        #expect(granted == 5)
        #expect(budget.requestsInWindow == 10)
        #expect(budget.retriesInWindow == 5)
        budget.recordRequest()
        budget.recordRequest()
        #expect(budget.tryWithdraw())
        #expect(!budget.tryWithdraw())
    }

    @Test func deniedWithdrawalsAreNotCounted() {
        let budget = RetryBudget(ratio: 0, minimumRetriesPerSecond: 0.1, window: .seconds(10), clock: clock)
        #expect(budget.tryWithdraw())
        for _ in 0..<100 { #expect(!budget.tryWithdraw()) }
        #expect(budget.retriesInWindow == 1)
    }

    @Test func countsLeaveTheWindowATenthAtATime() {
        let budget = RetryBudget(ratio: 1, minimumRetriesPerSecond: 0, window: .seconds(10), clock: clock)
        for _ in 0..<4 { budget.recordRequest() }
        clock.advance(by: .seconds(5))
        for _ in 0..<6 { budget.recordRequest() }
        #expect(budget.requestsInWindow == 10)
        clock.advance(by: .seconds(5))
        #expect(budget.requestsInWindow == 6)
        clock.advance(by: .seconds(4))
        #expect(budget.requestsInWindow == 6)
        clock.advance(by: .seconds(1))
        #expect(budget.requestsInWindow == 0)
    }

    @Test func exhaustedBudgetRefillsAsTheWindowSlides() {
        let budget = RetryBudget(ratio: 0, minimumRetriesPerSecond: 0.2, window: .seconds(10), clock: clock)
        #expect(budget.tryWithdraw())
        #expect(budget.tryWithdraw())
        #expect(!budget.tryWithdraw())
        clock.advance(by: .seconds(9))
        #expect(!budget.tryWithdraw())
        clock.advance(by: .seconds(1))
        #expect(budget.retriesInWindow == 0)
        #expect(budget.tryWithdraw())
    }

    @Test func aLongPauseClearsEverything() {
        let budget = RetryBudget(clock: clock)
        for _ in 0..<50 { budget.recordRequest() }
        #expect(budget.tryWithdraw())
        clock.advance(by: .seconds(3_600))
        #expect(budget.requestsInWindow == 0)
        #expect(budget.retriesInWindow == 0)
    }

    @Test func defaultsAndClamping() {
        let budget = RetryBudget(ratio: -1, minimumRetriesPerSecond: .nan, window: .zero, clock: clock)
        #expect(budget.ratio == 0)
        #expect(budget.minimumRetriesPerSecond == 0)
        #expect(budget.window == .nanoseconds(10))
        #expect(!budget.tryWithdraw())
        let defaults = RetryBudget(clock: clock)
        #expect(defaults.ratio == 0.2)
        #expect(defaults.minimumRetriesPerSecond == 10)
        #expect(defaults.window == .seconds(10))
        // Default floor: 10 per second over 10 s.
        #expect((0..<150).filter { _ in defaults.tryWithdraw() }.count == 100)
    }
}
