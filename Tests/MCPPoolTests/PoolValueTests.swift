import MCPPool
import MCPReliability
import Testing

@Suite struct PoolValueTests {
    @Test func configurationDefaults() {
        let configuration = PoolConfiguration()
        #expect(configuration.size == 1)
        #expect(configuration.max == 1)
        #expect(configuration.maxWaiters == 1024)
        #expect(configuration.idleTimeout == .seconds(300))
        #expect(configuration.reopenBackoff == RestartBackoff())
    }

    @Test func configurationClampsOutOfRangeValues() {
        #expect(PoolConfiguration(size: 3).max == 3)
        #expect(PoolConfiguration(size: 3, max: 2).max == 3)
        #expect(PoolConfiguration(size: 0).max == 1)
        #expect(PoolConfiguration(size: 2, max: 8).max == 8)
        let negative = PoolConfiguration(size: -1, max: -5, maxWaiters: -2)
        #expect(negative.size == 0)
        #expect(negative.max == 1)
        #expect(negative.maxWaiters == 0)
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect(PoolError.timedOut(after: .seconds(2)).description.contains("raise"))
        #expect(PoolError.queueFull(limit: 7).description.contains("7 requests"))
        #expect(PoolError.draining.description.contains("shutting down"))
        #expect(PoolError.unavailable(reason: "boom").description.contains("boom"))
    }
}
