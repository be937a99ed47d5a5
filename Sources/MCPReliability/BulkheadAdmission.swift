/// What ``Bulkhead/acquire(timeout:)`` decided.
public enum BulkheadAdmission: Sendable, Equatable {
    /// A permit is held: do the work, then call ``Bulkhead/release()`` exactly once.
    case acquired
    /// Every permit was taken and `limit` callers were already waiting: rejected at once,
    /// without waiting. No permit is held.
    case queueFull(limit: Int)
    /// No permit became free within `after` (the requested timeout), or the waiting task was
    /// cancelled, in which case `after` is how long it waited. No permit is held.
    case timedOut(after: Duration)
}
