import NIOConcurrencyHelpers

/// A holder of replayable events that the budget can ask to give some up.
protocol ReplayBudgetMember: AnyObject, Sendable {
    /// Drops its oldest replayable events until at least `bytes` bytes are freed (or none are
    /// left); reports the change with ``ReplayBudget/adjust(_:by:)`` and returns the bytes freed.
    func shedReplay(atLeast bytes: Int) -> Int
}

/// The bytes that all Streamable HTTP sessions of one front keep for `Last-Event-ID` replay,
/// held to one proxy-wide budget (``HTTPFrontConfiguration/maxReplayBytesTotal``). Each session
/// is also bounded on its own (``HTTPFrontConfiguration/replayBufferEvents``,
/// ``HTTPFrontConfiguration/maxQueuedBytesPerStream``); this bounds their sum, so many sessions
/// that each stay under their own limit cannot together hold unbounded memory.
///
/// Past the budget, the oldest events of the largest session are dropped first, until the total
/// is within the budget again (sessions of equal size take turns, one event at a time).
///
/// Lock order: a session calls ``adjust(_:by:)`` while holding its own lock; the budget never
/// calls into a session while holding its lock, and ``enforce()`` runs outside every session lock.
final class ReplayBudget: Sendable {
    private struct Account {
        let member: any ReplayBudgetMember
        var bytes: Int
    }

    private struct State {
        var accounts: [ObjectIdentifier: Account] = [:]
        var total = 0
        /// Events dropped for the budget since the start.
        var shedEvents = 0
        /// Drops were reported since the total last fell well below the budget.
        var reported = false
    }

    /// The most bytes all sessions together keep for replay.
    let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) {
        self.limit = max(limit, 0)
    }

    /// Bytes kept for replay now, over all sessions.
    var totalBytes: Int {
        state.withLockedValue { $0.total }
    }

    /// True when the sessions keep more than the budget.
    var isExceeded: Bool {
        state.withLockedValue { $0.total > limit }
    }

    /// Records that `member` keeps `delta` more bytes (fewer when negative).
    func adjust(_ member: any ReplayBudgetMember, by delta: Int) {
        guard delta != 0 else { return }
        let key = ObjectIdentifier(member)
        state.withLockedValue { state in
            let before = state.accounts[key]?.bytes ?? 0
            let after = max(before + delta, 0)
            state.total += after - before
            state.accounts[key] = after > 0 ? Account(member: member, bytes: after) : nil
        }
    }

    /// Forgets `member` (a session that ended); what it kept no longer counts.
    func release(_ member: any ReplayBudgetMember) {
        let key = ObjectIdentifier(member)
        state.withLockedValue { state in
            guard let account = state.accounts.removeValue(forKey: key) else { return }
            state.total -= account.bytes
        }
    }

    /// Drops the oldest events of the largest sessions until the total is within the budget.
    /// Call without holding any session's lock. Returns true the first time drops happen after
    /// the total was well within the budget (once per episode, for one log line).
    @discardableResult
    func enforce() -> Bool {
        var shedSomething = false
        while let (victim, amount) = nextVictim() {
            let freed = victim.shedReplay(atLeast: amount)
            if freed > 0 {
                shedSomething = true
            } else {
                // Nothing left to drop there (it ended meanwhile): stop counting it.
                release(victim)
            }
        }
        return state.withLockedValue { state in
            if state.total < limit / 2 { state.reported = false }
            guard shedSomething, !state.reported else { return false }
            state.reported = true
            return true
        }
    }

    /// Counts events a member dropped for the budget.
    func countShed(_ events: Int) {
        state.withLockedValue { $0.shedEvents += events }
    }

    /// Events dropped for the budget since the start.
    var shedEvents: Int {
        state.withLockedValue { $0.shedEvents }
    }

    /// The largest account and how much it should give up: the excess, but not more than brings
    /// it down to the next largest (at least one event), so the largest sessions shrink first.
    private func nextVictim() -> (any ReplayBudgetMember, Int)? {
        state.withLockedValue { state -> (any ReplayBudgetMember, Int)? in
            let excess = state.total - limit
            guard excess > 0 else { return nil }
            var largest: Account?
            var second = 0
            for account in state.accounts.values {
                if let current = largest, account.bytes <= current.bytes {
                    second = max(second, account.bytes)
                } else {
                    if let current = largest { second = max(second, current.bytes) }
                    largest = account
                }
            }
            guard let largest else { return nil }
            return (largest.member, max(1, min(excess, largest.bytes - second)))
        }
    }
}
