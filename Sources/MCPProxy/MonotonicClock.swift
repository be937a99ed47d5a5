import NIOCore

/// Monotonic time in nanoseconds, cheap enough for every message.
enum MonotonicClock {
    static func now() -> UInt64 {
        NIODeadline.now().uptimeNanoseconds
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
