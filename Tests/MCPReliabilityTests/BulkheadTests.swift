import MCPReliability
import Testing

/// Waits (yielding, then napping briefly) until `condition` holds, for at most ten seconds (it
/// returns as soon as it holds; the margin is for a loaded machine running suites in parallel).
func eventually(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        await Task.yield()
        try? await Task.sleep(for: .microseconds(100))
    }
    return true
}

@Suite struct BulkheadTests {
    @Test func tryAcquireUpToTheLimit() {
        let bulkhead = Bulkhead(maxConcurrent: 2, maxQueued: 0)
        #expect(bulkhead.tryAcquire())
        #expect(bulkhead.tryAcquire())
        #expect(!bulkhead.tryAcquire())
        #expect(bulkhead.inFlight == 2)
        bulkhead.release()
        #expect(bulkhead.inFlight == 1)
        #expect(bulkhead.tryAcquire())
        bulkhead.release()
        bulkhead.release()
        bulkhead.release()  // unbalanced: ignored
        #expect(bulkhead.inFlight == 0)
        #expect(bulkhead.tryAcquire())
    }

    @Test func limitsAreClamped() {
        let bulkhead = Bulkhead(maxConcurrent: 0, maxQueued: -3)
        #expect(bulkhead.maxConcurrent == 1)
        #expect(bulkhead.maxQueued == 0)
    }

    @Test func acquireTakesAFreePermitAtOnce() async {
        let bulkhead = Bulkhead(maxConcurrent: 1, maxQueued: 0)
        #expect(await bulkhead.acquire(timeout: .zero) == .acquired)
        #expect(await bulkhead.acquire(timeout: .seconds(1)) == .queueFull(limit: 0))
        #expect(bulkhead.inFlight == 1)
    }

    @Test func zeroTimeoutDoesNotWait() async {
        let bulkhead = Bulkhead(maxConcurrent: 1, maxQueued: 4)
        #expect(bulkhead.tryAcquire())
        #expect(await bulkhead.acquire(timeout: .zero) == .timedOut(after: .zero))
        #expect(bulkhead.queued == 0)
    }

    @Test func releaseHandsThePermitToTheWaiter() async {
        let bulkhead = Bulkhead(maxConcurrent: 1, maxQueued: 1)
        #expect(bulkhead.tryAcquire())
        let waiter = Task { await bulkhead.acquire(timeout: .seconds(5)) }
        #expect(await eventually { bulkhead.queued == 1 })
        #expect(await bulkhead.acquire(timeout: .seconds(5)) == .queueFull(limit: 1))
        bulkhead.release()
        // The permit went to the waiter, not back to the pool: no barging.
        #expect(!bulkhead.tryAcquire())
        #expect(await waiter.value == .acquired)
        #expect(bulkhead.inFlight == 1)
        #expect(bulkhead.queued == 0)
        bulkhead.release()
        #expect(bulkhead.inFlight == 0)
    }

    @Test func waitersAreServedFirstComeFirstServed() async {
        let bulkhead = Bulkhead(maxConcurrent: 1, maxQueued: 3)
        let order = Locked<[Int]>([])
        #expect(bulkhead.tryAcquire())
        var waiters: [Task<Void, Never>] = []
        for index in 0..<3 {
            waiters.append(Task {
                if await bulkhead.acquire(timeout: .seconds(5)) == .acquired {
                    order.withLock { $0.append(index) }
                    bulkhead.release()
                }
            })
            #expect(await eventually { bulkhead.queued == index + 1 })
        }
        bulkhead.release()
        for waiter in waiters { await waiter.value }
        #expect(order.withLock { $0 } == [0, 1, 2])
        #expect(bulkhead.inFlight == 0)
    }

    @Test func aTimedOutWaiterNeverGetsAPermit() async {
        let bulkhead = Bulkhead(maxConcurrent: 1, maxQueued: 2)
        #expect(bulkhead.tryAcquire())
        #expect(await bulkhead.acquire(timeout: .milliseconds(10)) == .timedOut(after: .milliseconds(10)))
        #expect(bulkhead.queued == 0)
        bulkhead.release()
        #expect(bulkhead.inFlight == 0)
        #expect(bulkhead.tryAcquire())
    }

    @Test func cancellingAWaiterEndsItsWait() async {
        let bulkhead = Bulkhead(maxConcurrent: 1, maxQueued: 2)
        #expect(bulkhead.tryAcquire())
        let waiter = Task { await bulkhead.acquire(timeout: .seconds(30)) }
        #expect(await eventually { bulkhead.queued == 1 })
        waiter.cancel()
        let result = await waiter.value
        guard case .timedOut(let waited) = result else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
        #expect(waited < .seconds(30))
        #expect(bulkhead.queued == 0)
        bulkhead.release()
        #expect(bulkhead.inFlight == 0)
    }

    @Test func anAlreadyCancelledTaskDoesNotWait() async {
        let bulkhead = Bulkhead(maxConcurrent: 1, maxQueued: 2)
        #expect(bulkhead.tryAcquire())
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await bulkhead.acquire(timeout: .seconds(30))
        }
        guard case .timedOut(let waited) = await waiter.value else {
            Issue.record("expected a timeout")
            return
        }
        #expect(waited < .seconds(30))
        #expect(bulkhead.queued == 0)
        bulkhead.release()
        #expect(bulkhead.inFlight == 0)
    }

    @Test func noPermitIsLostInAStorm() async {
        let bulkhead = Bulkhead(maxConcurrent: 4, maxQueued: 16)
        let counts = Locked<Tally>(Tally())
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<300 {
                group.addTask {
                    // Arrivals in 16 waves 1 ms apart; timeouts from 0.2 to 2 ms; most holds are a
                    // few yields, one in five a 1 ms nap that makes the queue wait.
                    try? await Task.sleep(for: .milliseconds(index % 16))
                    let timeout = Duration.microseconds(200 + (index % 7) * 300)
                    switch await bulkhead.acquire(timeout: timeout) {
                    case .acquired:
                        if bulkhead.inFlight > 4 { counts.withLock { $0.overLimit += 1 } }
                        if index % 5 == 0 {
                            try? await Task.sleep(for: .milliseconds(1))
                        } else {
                            for _ in 0..<3 { await Task.yield() }
                        }
                        counts.withLock { $0.acquired += 1 }
                        bulkhead.release()
                    case .queueFull:
                        counts.withLock { $0.full += 1 }
                    case .timedOut:
                        counts.withLock { $0.timedOut += 1 }
                    }
                }
                if index % 50 == 49 { group.addTask { if bulkhead.tryAcquire() { bulkhead.release() } } }
            }
        }
        let totals = counts.withLock { $0 }
        #expect(totals.acquired + totals.full + totals.timedOut == 300)
        #expect(totals.acquired > 0)
        #expect(totals.full + totals.timedOut > 0)
        #expect(totals.overLimit == 0)
        #expect(bulkhead.inFlight == 0)
        #expect(bulkhead.queued == 0)
        // Every permit is free again.
        #expect((0..<4).allSatisfy { _ in bulkhead.tryAcquire() })
        #expect(!bulkhead.tryAcquire())
    }
}

/// Outcomes counted by the storm test.
struct Tally: Sendable {
    var acquired = 0
    var full = 0
    var timedOut = 0
    var overLimit = 0
}
