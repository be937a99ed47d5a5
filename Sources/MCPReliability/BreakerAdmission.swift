/// What ``CircuitBreaker/admit()`` decided for one call.
public enum BreakerAdmission: Sendable, Equatable {
    /// The breaker is closed: make the call, then report its outcome with
    /// ``CircuitBreaker/record(_:probe:)``.
    case allowed
    /// The breaker is half-open and this call is one of its trial calls: make it, then report
    /// its outcome with `record(_:probe: true)`. Its success closes the breaker, its failure
    /// re-opens it.
    case probe
    /// The breaker is open (or half-open with every probe slot taken): do not call the
    /// upstream. `retryAfterNanoseconds` is when it is worth asking again: the time left
    /// until the breaker lets a probe through, or, while probes are out, a tenth of the open
    /// duration (at most the time until the oldest probe's slot is reclaimed).
    case rejected(retryAfterNanoseconds: UInt64)
}
