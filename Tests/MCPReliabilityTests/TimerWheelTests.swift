import MCPReliability
import Testing

@Suite struct TimerWheelTests {
    let tick: UInt64 = 10
    let start: UInt64 = 1_000

    func wheel(slots: Int = 8) -> TimerWheel<Int> {
        TimerWheel(tickNanoseconds: tick, slotCount: slots, start: start)
    }

    @Test func firesAtTheDeadlineNotBefore() {
        var wheel = wheel()
        wheel.schedule(1, at: start + 25)
        #expect(wheel.count == 1)
        #expect(wheel.advance(to: start + 20).isEmpty)
        #expect(wheel.advance(to: start + 24).isEmpty)
        #expect(wheel.advance(to: start + 25) == [1])
        #expect(wheel.count == 0)
        #expect(wheel.advance(to: start + 100).isEmpty)
    }

    @Test func farDeadlinesWaitForTheirRotation() {
        var wheel = wheel(slots: 8)
        let deadline = start + 8 * tick * 3 + 35  // three and a bit rotations away
        wheel.schedule(7, at: deadline)
        wheel.schedule(8, at: start + 35)  // same slot, first rotation
        var now = start
        var firedAt: [Int: UInt64] = [:]
        while now < deadline + 50 {
            now += 3
            for key in wheel.advance(to: now) { firedAt[key] = now }
        }
        #expect(firedAt[8].map { $0 >= start + 35 && $0 < start + 38 } == true)
        #expect(firedAt[7].map { $0 >= deadline && $0 < deadline + 3 } == true)
    }

    @Test func aBigJumpFiresEverythingDueAndNothingElse() {
        var wheel = wheel(slots: 4)
        for key in 0..<20 { wheel.schedule(key, at: start + UInt64(key) * 7) }
        wheel.schedule(100, at: start + 10_000)
        let fired = wheel.advance(to: start + 100)
        #expect(Set(fired) == Set(0..<15))
        #expect(fired.count == 15)
        #expect(wheel.count == 6)
        #expect(wheel.deadline(of: 100) == start + 10_000)
    }

    @Test func reschedulingReplaces() {
        var wheel = wheel()
        wheel.schedule(1, at: start + 20)
        wheel.schedule(1, at: start + 200)
        #expect(wheel.count == 1)
        #expect(wheel.advance(to: start + 100).isEmpty)
        #expect(wheel.advance(to: start + 200) == [1])
        wheel.schedule(2, at: start + 500)
        wheel.schedule(2, at: start + 210)
        #expect(wheel.advance(to: start + 210) == [2])
        #expect(wheel.isEmpty)
    }

    @Test func cancelRemoves() {
        var wheel = wheel()
        for key in 0..<5 { wheel.schedule(key, at: start + 30) }
        wheel.cancel(2)
        wheel.cancel(99)
        #expect(wheel.count == 4)
        #expect(wheel.deadline(of: 2) == nil)
        #expect(Set(wheel.advance(to: start + 30)) == [0, 1, 3, 4])
    }

    @Test func pastDeadlinesFireOnTheNextAdvance() {
        var wheel = wheel()
        _ = wheel.advance(to: start + 500)
        wheel.schedule(1, at: start + 10)
        wheel.schedule(2, at: 0)
        #expect(Set(wheel.advance(to: start + 500)) == [1, 2])
    }

    @Test func goingBackwardsFiresNothingNew() {
        var wheel = wheel()
        _ = wheel.advance(to: start + 100)
        wheel.schedule(1, at: start + 150)
        #expect(wheel.advance(to: start + 50).isEmpty)
        #expect(wheel.now == start + 100)
        #expect(wheel.advance(to: start + 150) == [1])
    }

    @Test func parametersAreClamped() {
        var wheel = TimerWheel<String>(tickNanoseconds: 0, slotCount: 0, start: 0)
        #expect(wheel.tickNanoseconds == 1)
        #expect(wheel.slotCount == 1)
        wheel.schedule("a", at: 5)
        #expect(wheel.advance(to: 4).isEmpty)
        #expect(wheel.advance(to: 5) == ["a"])
    }

    @Test(arguments: [(UInt64(1), 1), (10, 8), (7, 64), (1_000, 3)])
    func matchesANaiveReference(tick: UInt64, slots: Int) {
        var random = SeededRandom(seed: tick &* 31 &+ UInt64(slots))
        var wheel = TimerWheel<Int>(tickNanoseconds: tick, slotCount: slots, start: start)
        var reference: [Int: UInt64] = [:]
        var now = start
        let rotation = tick * UInt64(slots)
        for _ in 0..<4_000 {
            let roll = random.next() % 100
            if roll < 55 {
                let key = Int(random.next() % 500)
                // Mostly within a few rotations; some in the past; some far away.
                let deadline: UInt64 = switch random.next() % 10 {
                case 0: now - min(now, random.next() % (rotation * 2 + 1))
                case 1: now + random.next() % (rotation * 40 + 1)
                default: now + random.next() % (rotation * 3 + 1)
                }
                wheel.schedule(key, at: deadline)
                reference[key] = deadline
            } else if roll < 65 {
                let key = Int(random.next() % 500)
                wheel.cancel(key)
                reference[key] = nil
            } else {
                now += random.next() % 8 == 0 ? random.next() % (rotation * 5 + 1) : random.next() % (tick * 3 + 1)
                let due = Set(reference.filter { $0.value <= now }.keys)
                for key in due { reference[key] = nil }
                let fired = wheel.advance(to: now)
                #expect(fired.count == due.count)
                #expect(Set(fired) == due)
                #expect(wheel.count == reference.count)
                if Set(fired) != due { return }
            }
        }
        #expect(reference.keys.allSatisfy { wheel.deadline(of: $0) == reference[$0] })
    }
}
