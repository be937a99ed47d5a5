/// Runs `body`, giving up (and cancelling it) after `limit`. Returns nil when the time ran out.
///
/// The body must react to cancellation (HTTP calls and sleeps do), because this returns only
/// once the body has stopped.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: Optional<T>.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

extension Duration {
    /// Milliseconds, rounded down, for messages and SSE `retry` arithmetic.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
