#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The two clocks security checks read, injectable so that tests can move time.
///
/// `wallSeconds` (seconds since 1970) is compared with token claims (`exp`, `nbf`, `iat`);
/// `monotonicNanoseconds` paces JWKS refreshes and token buckets.
public struct SecurityClock: Sendable {
    /// Seconds since 1970-01-01 UTC.
    public var wallSeconds: @Sendable () -> Double
    /// Nanoseconds from an arbitrary fixed point; never goes backwards.
    public var monotonicNanoseconds: @Sendable () -> UInt64

    /// Creates a clock from two readers.
    public init(wallSeconds: @escaping @Sendable () -> Double, monotonicNanoseconds: @escaping @Sendable () -> UInt64) {
        self.wallSeconds = wallSeconds
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    /// The system's clocks (`CLOCK_REALTIME` and `CLOCK_MONOTONIC`).
    public static let system = SecurityClock(
        wallSeconds: {
            var spec = timespec()
            clock_gettime(CLOCK_REALTIME, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
        },
        monotonicNanoseconds: {
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC, &spec)
            return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
        }
    )
}
