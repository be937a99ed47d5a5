import Synchronization

/// Monotonic time in nanoseconds, injected so every state machine here can be driven by a
/// ``ManualClock`` in tests.
public protocol ReliabilityClock: Sendable {
    /// Nanoseconds since an arbitrary fixed point; never goes backwards.
    func nanoseconds() -> UInt64
}

extension ReliabilityClock {
    /// `duration` from now, in this clock's nanoseconds.
    public func deadline(after duration: Duration) -> UInt64 {
        nanoseconds() &+ duration.nanosecondsClamped
    }
}

/// The system's monotonic clock (`ContinuousClock`).
public struct SystemReliabilityClock: ReliabilityClock {
    private static let origin = ContinuousClock.now

    /// Creates the clock; all instances share one origin.
    public init() {}

    /// Nanoseconds since the first use of this type in the process.
    public func nanoseconds() -> UInt64 {
        (ContinuousClock.now - Self.origin).nanosecondsClamped
    }
}

/// A clock that moves only when told to: for tests.
public final class ManualClock: ReliabilityClock {
    private let now: Mutex<UInt64>

    /// Starts at `start` nanoseconds.
    public init(start: UInt64 = 1_000_000_000) {
        now = Mutex(start)
    }

    /// The current manual time: `start` plus every ``advance(by:)`` so far.
    public func nanoseconds() -> UInt64 { now.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(by duration: Duration) {
        now.withLock { $0 &+= duration.nanosecondsClamped }
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `0...UInt64.max` (negative durations are 0).
    public var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let whole = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if whole.overflow { return .max }
        let sum = whole.partialValue.addingReportingOverflow(UInt64(max(attoseconds, 0) / 1_000_000_000))
        return sum.overflow ? .max : sum.partialValue
    }
}
