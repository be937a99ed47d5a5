/// A wait in a test that ran out of time.
struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "timed out after \(timeout) waiting for \(what)" }
}

/// Polls `probe` until it yields a value, or throws `WaitTimedOut` after `timeout`.
func eventually<T>(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(5),
    _ probe: () -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = probe() { return value }
        if ContinuousClock.now >= deadline { throw WaitTimedOut(what: what(), timeout: timeout) }
        try await Task.sleep(for: .milliseconds(2))
    }
}

/// Polls `condition` until it holds, or throws `WaitTimedOut` after `timeout`.
func eventually(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(5),
    that condition: () -> Bool
) async throws {
    _ = try await eventually(what(), timeout: timeout) { condition() ? true : nil }
}

/// A test expectation that could not be checked further (an unexpected message shape).
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
