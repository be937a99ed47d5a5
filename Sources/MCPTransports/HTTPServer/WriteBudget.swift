/// Counts the bytes handed to a channel that the peer has not taken yet, so a client that stops
/// reading is noticed once it is `limit` bytes behind instead of growing memory without end.
/// Used on the channel's event loop only.
struct WriteBudget {
    let limit: Int
    private(set) var queued = 0

    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// Takes `count` bytes from the budget; false (nothing taken) when that would pass the limit.
    /// A write larger than the limit is taken only when nothing else is queued, so one big
    /// message does not cut off a client that keeps up.
    mutating func reserve(_ count: Int) -> Bool {
        guard queued == 0 || queued + count <= limit else { return false }
        queued += count
        return true
    }

    /// Gives back the bytes of a write that completed (or failed).
    mutating func release(_ count: Int) {
        queued = max(queued - count, 0)
    }
}
