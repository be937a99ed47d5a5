import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs `body`, giving up (and cancelling it) after `limit`. Returns nil when the time ran out.
///
/// The body must react to cancellation (HTTP calls and sleeps do), because this returns only
/// once the body has stopped. The timer is an event-loop timer: no task sleeps for `limit`, so
/// nothing is left scheduled when the body finishes early.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
    let work = Task { await body() }
    let expired = NIOLockedValueBox(false)
    let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {
        expired.withLockedValue { $0 = true }
        work.cancel()
    }
    let value = await withTaskCancellationHandler {
        await work.value
    } onCancel: {
        work.cancel()
    }
    timer.cancel()
    return expired.withLockedValue { $0 } ? nil : value
}

extension Duration {
    /// Milliseconds, rounded down, for messages and SSE `retry` arithmetic.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
