import MCPTransports
import Synchronization

/// One GET stream fed by ``RedisSessionRelay``: the task that feeds it, and how to end it.
final class RedisRelayFeed: SessionRelayAttachment {
    private let state = Mutex(State())

    private struct State {
        var task: Task<Void, Never>?
        var end: (@Sendable () -> Void)?
        var finished = false
    }

    /// Starts feeding.
    func run(_ body: @escaping @Sendable () async -> Void) {
        let task = Task { await body() }
        state.withLock { $0.task = task }
    }

    /// How to end the stream.
    func setEnd(_ end: @escaping @Sendable () -> Void) {
        state.withLock { $0.end = end }
    }

    /// Ends the stream (once) and stops feeding it.
    func endStream() {
        let (task, end) = state.withLock { state -> (Task<Void, Never>?, (@Sendable () -> Void)?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            return (state.task, state.end)
        }
        task?.cancel()
        end?()
    }

    /// See ``MCPTransports/SessionRelayAttachment/cancel()``: stops feeding without ending.
    func cancel() {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.finished = true
            return state.task
        }
        task?.cancel()
    }
}
