@testable import MCPReliability
import Synchronization
import Testing

/// The wait queue's settle-before-install paths, which the async tests reach only by luck.
@Suite struct BulkheadWaitQueueTests {
    /// Installs a continuation for `ticket` and returns how the waiter resumes.
    func install(_ ticket: BulkheadWaitQueue.Ticket, in queue: borrowing Mutex<BulkheadWaitQueue>) async -> Bool {
        await withCheckedContinuation { continuation in
            if let settled = queue.withLock({ $0.install(continuation, for: ticket) }) {
                continuation.resume(returning: settled)
            } else if case .resume(let waiting) = queue.withLock({ $0.grantFirst() }) {
                waiting.resume(returning: true)
            }
        }
    }

    @Test func grantBeforeInstallIsKept() async {
        let queue = Mutex(BulkheadWaitQueue())
        let ticket = queue.withLock { $0.enqueue() }
        guard case .deferred = queue.withLock({ $0.grantFirst() }) else {
            Issue.record("expected a deferred grant")
            return
        }
        #expect(queue.withLock { $0.count } == 0)
        // A timeout arriving after the grant changes nothing.
        #expect(queue.withLock { $0.expire(ticket) } == nil)
        #expect(await install(ticket, in: queue))
    }

    @Test func expiryBeforeInstallIsKept() async {
        let queue = Mutex(BulkheadWaitQueue())
        let ticket = queue.withLock { $0.enqueue() }
        #expect(queue.withLock { $0.expire(ticket) } == nil)
        #expect(queue.withLock { $0.count } == 0)
        guard case .noWaiter = queue.withLock({ $0.grantFirst() }) else {
            Issue.record("an expired waiter must not be granted")
            return
        }
        #expect(await install(ticket, in: queue) == false)
    }

    @Test func aStaleTicketDoesNotTouchTheNodesNextOccupant() async {
        let queue = Mutex(BulkheadWaitQueue())
        let first = queue.withLock { $0.enqueue() }
        _ = queue.withLock { $0.expire(first) }
        #expect(await install(first, in: queue) == false)
        let second = queue.withLock { $0.enqueue() }
        #expect(second.slot == first.slot)
        #expect(second.generation != first.generation)
        #expect(queue.withLock { $0.expire(first) } == nil)
        #expect(queue.withLock { $0.count } == 1)
        // Installed while waiting, then granted by the helper.
        #expect(await install(second, in: queue))
        #expect(queue.withLock { $0.count } == 0)
    }

    @Test func removalFromTheMiddleKeepsOrder() {
        var queue = BulkheadWaitQueue()
        let tickets = (0..<5).map { _ in queue.enqueue() }
        _ = queue.expire(tickets[2])
        _ = queue.expire(tickets[0])
        #expect(queue.count == 3)
        guard case .deferred = queue.grantFirst() else {
            Issue.record("expected a waiter")
            return
        }
        // The grant went to waiter 1 (the first still waiting): expiring it now changes
        // nothing, while expiring waiter 4 removes it.
        _ = queue.expire(tickets[1])
        #expect(queue.count == 2)
        _ = queue.expire(tickets[4])
        #expect(queue.count == 1)
        guard case .deferred = queue.grantFirst() else {
            Issue.record("expected waiter 3")
            return
        }
        #expect(queue.count == 0)
        guard case .noWaiter = queue.grantFirst() else {
            Issue.record("expected an empty queue")
            return
        }
    }
}
