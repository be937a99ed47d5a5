import MCPPool
import MCPReliability

typealias FakePool = ConnectionPool<FakeConnection>
typealias FakeLease = PoolLease<FakeConnection>

/// A pool over `upstream`, its events recorded by `recorder`.
func makePool(
    _ configuration: PoolConfiguration,
    upstream: FakeUpstream,
    clock: any ReliabilityClock = ManualClock(),
    gate: FakeGate? = nil,
    recorder: EventRecorder? = nil
) -> FakePool {
    var allows: (@Sendable () -> Bool)?
    if let gate { allows = { gate.allows() } }
    var events: (@Sendable (PoolEvent) -> Void)?
    if let recorder { events = { event in recorder.record(event) } }
    return FakePool(
        configuration: configuration, clock: clock, open: { try await upstream.open() }, gate: allows, events: events)
}

/// `acquire` as a value, for tasks and comparisons.
func attempt(_ pool: FakePool, _ mode: LeaseMode, timeout: Duration) async -> Result<FakeLease, PoolError> {
    do {
        return .success(try await pool.acquire(mode, timeout: timeout))
    } catch {
        return .failure(error)
    }
}

/// Polls `condition` every 2 ms for up to `timeout`.
func eventually(within timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

extension Result {
    /// The success value, or nil.
    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }

    /// The failure, or nil.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
