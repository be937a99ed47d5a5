import Synchronization

/// A concurrency limit with a bounded wait queue: at most ``maxConcurrent`` callers hold a
/// permit at once, at most ``maxQueued`` more wait for one (first come, first served), and the
/// rest are turned away at once. It keeps one slow upstream from absorbing every task of the
/// proxy.
///
/// ```swift
/// switch await bulkhead.acquire(timeout: .seconds(5)) {
/// case .acquired:
///     defer { bulkhead.release() }
///     return try await forward(request)
/// case .queueFull, .timedOut:
///     return overloaded()
/// }
/// ```
///
/// ``release()`` hands the permit straight to the first waiter, so a permit freed while
/// others wait is never taken by a newcomer calling ``tryAcquire()``. A waiter that times out,
/// or whose task is cancelled, leaves the queue and is never granted a permit afterwards:
/// a release and a timeout racing for the same waiter are decided under the lock, and exactly
/// one of them resumes it.
///
/// ``tryAcquire()`` and ``release()`` are O(1), allocation-free and take the lock once.
/// ``acquire(timeout:)`` takes the same fast path when a permit is free; when it has to wait it
/// allocates a continuation and one timeout task.
public final class Bulkhead: Sendable {
    /// How many permits exist (at least 1).
    public let maxConcurrent: Int
    /// How many callers may wait for a permit (at least 0; 0 means never wait).
    public let maxQueued: Int

    private let state: Mutex<BulkheadState>

    /// Creates a bulkhead with every permit free.
    /// - Parameters:
    ///   - maxConcurrent: permits; values below 1 become 1.
    ///   - maxQueued: the longest wait queue; negative values become 0.
    public init(maxConcurrent: Int, maxQueued: Int) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxQueued = max(0, maxQueued)
        self.state = Mutex(BulkheadState())
    }

    /// Takes a permit if one is free right now; never waits. Returns `true` when a permit is
    /// held (call ``release()`` later), `false` otherwise.
    public func tryAcquire() -> Bool {
        let limit = maxConcurrent
        return state.withLock { state in
            guard state.inFlight < limit else { return false }
            state.inFlight += 1
            return true
        }
    }

    /// Takes a permit, waiting up to `timeout` in the queue when none is free.
    ///
    /// Returns ``BulkheadAdmission/acquired`` (call ``release()`` later),
    /// ``BulkheadAdmission/queueFull(limit:)`` at once when ``maxQueued`` callers already wait,
    /// or ``BulkheadAdmission/timedOut(after:)`` when no permit came in time (at once if
    /// `timeout` is zero or negative). Cancelling the waiting task ends the wait like a timeout,
    /// with the time actually waited.
    public func acquire(timeout: Duration) async -> BulkheadAdmission {
        let limit = maxConcurrent, queueLimit = maxQueued
        let start = ContinuousClock.now
        let reservation: BulkheadReservation = state.withLock { state in
            if state.inFlight < limit {
                state.inFlight += 1
                return .acquired
            }
            if state.waiters.count >= queueLimit { return .queueFull }
            if timeout <= .zero { return .timedOut }
            return .queued(state.waiters.enqueue())
        }
        let ticket: BulkheadWaitQueue.Ticket
        switch reservation {
        case .acquired: return .acquired
        case .queueFull: return .queueFull(limit: queueLimit)
        case .timedOut: return .timedOut(after: timeout)
        case .queued(let queued): ticket = queued
        }

        let timer = Task { [self] in
            do {
                try await Task.sleep(for: timeout)
            } catch {
                return  // cancelled: the waiter was settled before the deadline
            }
            expire(ticket)
        }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let settled = state.withLock { $0.waiters.install(continuation, for: ticket) }
                if let settled { continuation.resume(returning: settled) }
            }
        } onCancel: {
            expire(ticket)
        }
        timer.cancel()
        if granted { return .acquired }
        if Task.isCancelled { return .timedOut(after: ContinuousClock.now - start) }
        return .timedOut(after: timeout)
    }

    /// Returns a permit. If callers are waiting, the permit goes straight to the first of them;
    /// otherwise it becomes free. Call exactly once per successful acquisition; an extra call
    /// when no permit is held does nothing.
    public func release() {
        let continuation: CheckedContinuation<Bool, Never>? = state.withLock { state in
            switch state.waiters.grantFirst() {
            case .noWaiter:
                if state.inFlight > 0 { state.inFlight -= 1 }
                return nil
            case .deferred:
                return nil
            case .resume(let continuation):
                return continuation
            }
        }
        continuation?.resume(returning: true)
    }

    /// Permits held now, including ones handed to waiters that have not resumed yet.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Callers waiting for a permit now.
    public var queued: Int { state.withLock { $0.waiters.count } }

    /// Ends the wait of `ticket` (timeout or cancellation), unless a release got there first.
    private func expire(_ ticket: BulkheadWaitQueue.Ticket) {
        let continuation = state.withLock { $0.waiters.expire(ticket) }
        continuation?.resume(returning: false)
    }
}

/// The mutable state of a ``Bulkhead``, guarded by its mutex.
private struct BulkheadState: Sendable {
    /// Permits held, including ones granted to waiters not yet resumed.
    var inFlight = 0
    /// Callers waiting for a permit.
    var waiters = BulkheadWaitQueue()
}

/// The first, locked step of ``Bulkhead/acquire(timeout:)``.
private enum BulkheadReservation: Sendable {
    /// A permit was free and is now held.
    case acquired
    /// The queue is full.
    case queueFull
    /// No permit is free and the timeout allows no wait.
    case timedOut
    /// Enqueued as a waiter.
    case queued(BulkheadWaitQueue.Ticket)
}
