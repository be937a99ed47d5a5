/// The sliding counts behind ``RetryBudget``: a fixed ring of buckets, each counting the
/// requests and retries of one `bucketNanoseconds` span, with running totals.
struct RetryBudgetWindow: Sendable {
    /// How many buckets the window is divided into.
    static let bucketCount = 10

    /// The span of one bucket.
    let bucketNanoseconds: UInt64
    /// Requests per bucket.
    private var requestBuckets = ContiguousArray(repeating: 0, count: bucketCount)
    /// Retries per bucket.
    private var retryBuckets = ContiguousArray(repeating: 0, count: bucketCount)
    /// The absolute index (`now / bucketNanoseconds`) of the current bucket.
    private var current: UInt64
    /// Requests in all buckets.
    private(set) var requests = 0
    /// Retries in all buckets.
    private(set) var retries = 0

    /// Creates empty counts whose current bucket holds `now`.
    init(bucketNanoseconds: UInt64, now: UInt64) {
        self.bucketNanoseconds = max(1, bucketNanoseconds)
        self.current = now / self.bucketNanoseconds
    }

    /// The ring position of the current bucket.
    private var slot: Int { Int(current % UInt64(Self.bucketCount)) }

    /// Moves the window forward to `now`, emptying the buckets it leaves behind
    /// (at most ``bucketCount`` of them).
    mutating func slide(to now: UInt64) {
        let target = now / bucketNanoseconds
        guard target > current else { return }
        let steps = min(target - current, UInt64(Self.bucketCount))
        for step in 1...steps {
            let index = Int((current &+ step) % UInt64(Self.bucketCount))
            requests -= requestBuckets[index]
            retries -= retryBuckets[index]
            requestBuckets[index] = 0
            retryBuckets[index] = 0
        }
        current = target
    }

    /// Counts a request at `now`.
    mutating func addRequest(now: UInt64) {
        slide(to: now)
        requestBuckets[slot] += 1
        requests += 1
    }

    /// Counts a retry in the current bucket; the caller slid the window first.
    mutating func addRetry() {
        retryBuckets[slot] += 1
        retries += 1
    }
}
