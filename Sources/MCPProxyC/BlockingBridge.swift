import Dispatch
import Synchronization

/// Runs async work to completion from a C caller's thread, which blocks meanwhile. C callers
/// are the host's threads, never the proxy's own, so blocking them is safe; a call from inside a
/// policy callback (a proxy thread) is documented as not allowed.
enum BlockingBridge {
    private final class Box<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        // Waiting forever, the task always stores its result before it signals.
        run(timeout: nil, body).unsafelyUnwrapped
    }

    /// Like `run`, but gives up waiting after `timeout` (nil: forever); nil when it gave up.
    static func run<T: Sendable>(timeout: Duration?, _ body: @escaping @Sendable () async -> T) -> T? {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let result = await body()
            box.value.withLock { $0 = result }
            done.signal()
        }
        if let timeout {
            let nanoseconds = max(0, timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
            guard done.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds))) == .success else { return nil }
        } else {
            done.wait()
        }
        return box.value.withLock { $0 }
    }
}
