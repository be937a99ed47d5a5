import MCPReliability
import Testing

@Suite struct ReliabilityClockTests {
    @Test func manualClockMovesOnlyWhenTold() {
        let clock = ManualClock(start: 42)
        #expect(clock.nanoseconds() == 42)
        clock.advance(by: .milliseconds(3))
        #expect(clock.nanoseconds() == 3_000_042)
        #expect(clock.deadline(after: .seconds(1)) == 1_003_000_042)
    }

    @Test func systemClockDoesNotGoBackwards() {
        let clock = SystemReliabilityClock()
        let first = clock.nanoseconds()
        #expect(clock.nanoseconds() >= first)
    }

    @Test func nanosecondsAreClamped() {
        #expect(Duration.seconds(-1).nanosecondsClamped == 0)
        #expect(Duration.milliseconds(1_500).nanosecondsClamped == 1_500_000_000)
        #expect(Duration.seconds(Int64.max).nanosecondsClamped == .max)
        #expect(Duration.nanoseconds(7).nanosecondsClamped == 7)
    }
}
