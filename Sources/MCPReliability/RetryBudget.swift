import Synchronization

/// A cap on retries shared by every request to one upstream, so retries cannot multiply the
/// load on an upstream that is already failing (a retry storm).
///
/// Within a sliding ``window`` the budget allows as many retries as the larger of
/// `minimumRetriesPerSecond × window seconds` (a floor, so a quiet upstream can still retry)
/// and `ratio × requests` (so a busy one retries in proportion to its traffic). Call
/// ``recordRequest()`` once per original request and ``tryWithdraw()`` before each retry.
///
/// The window is a ring of ten buckets of `window / 10` each, so it slides in tenths: counts
/// leave the window up to one tenth later than an exact sliding window would drop them.
/// Every method is O(1), allocation-free and takes the lock once.
public final class RetryBudget: Sendable {
    /// Retries allowed per original request within the window, beyond the floor.
    public let ratio: Double
    /// The floor: retries allowed per second of window whatever the traffic.
    public let minimumRetriesPerSecond: Double
    /// The span over which requests and retries are counted.
    public let window: Duration

    private let clock: any ReliabilityClock
    private let floor: Double
    private let counts: Mutex<RetryBudgetWindow>

    /// Creates a budget.
    /// - Parameters:
    ///   - ratio: retries allowed per request in the window (default 0.2: one retry for five
    ///     requests). Negative values count as zero.
    ///   - minimumRetriesPerSecond: retries allowed per second of window regardless of traffic
    ///     (default 10). Negative values count as zero.
    ///   - window: how far back requests and retries count (default 10 s; at least 10 ns).
    ///   - clock: the time source; tests pass a ``ManualClock``.
    public init(
        ratio: Double = 0.2,
        minimumRetriesPerSecond: Double = 10,
        window: Duration = .seconds(10),
        clock: any ReliabilityClock = SystemReliabilityClock()
    ) {
        let windowNanoseconds = max(window.nanosecondsClamped, UInt64(RetryBudgetWindow.bucketCount))
        self.ratio = ratio.isFinite ? max(0, ratio) : 0
        self.minimumRetriesPerSecond = minimumRetriesPerSecond.isFinite ? max(0, minimumRetriesPerSecond) : 0
        self.window = .nanoseconds(Int64(clamping: windowNanoseconds))
        self.clock = clock
        self.floor = self.minimumRetriesPerSecond * Double(windowNanoseconds) / 1e9
        self.counts = Mutex(RetryBudgetWindow(
            bucketNanoseconds: windowNanoseconds / UInt64(RetryBudgetWindow.bucketCount),
            now: clock.nanoseconds()
        ))
    }

    /// Counts one original request (not a retry) toward the ratio.
    public func recordRequest() {
        let now = clock.nanoseconds()
        counts.withLock { $0.addRequest(now: now) }
    }

    /// Asks for one retry. Returns `true`, and counts the retry, when the retries in the window
    /// including this one stay within `max(minimumRetriesPerSecond × window seconds,
    /// ratio × requests in the window)`; otherwise returns `false` and counts nothing: the
    /// caller should give up and report the original failure.
    public func tryWithdraw() -> Bool {
        let now = clock.nanoseconds()
        let ratio = ratio, floor = floor
        return counts.withLock { counts in
            counts.slide(to: now)
            let allowance = max(floor, ratio * Double(counts.requests))
            guard Double(counts.retries + 1) <= allowance else { return false }
            counts.addRetry()
            return true
        }
    }

    /// Retries granted within the window as of now.
    public var retriesInWindow: Int {
        let now = clock.nanoseconds()
        return counts.withLock { counts in
            counts.slide(to: now)
            return counts.retries
        }
    }

    /// Original requests recorded within the window as of now.
    public var requestsInWindow: Int {
        let now = clock.nanoseconds()
        return counts.withLock { counts in
            counts.slide(to: now)
            return counts.requests
        }
    }
}
