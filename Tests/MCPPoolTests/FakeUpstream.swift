import MCPPool
import Synchronization

/// The error a scripted open throws.
struct OpenFailure: Error, CustomStringConvertible {
    var description: String { "connection refused" }
}

/// The pool's `open` closure, scripted: opens can be made to fail or to hang until resumed;
/// every connection it made is kept for inspection.
final class FakeUpstream: Sendable {
    private struct State {
        var opens = 0
        var failuresLeft = 0
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []
        var connections: [FakeConnection] = []
    }

    private let state = Mutex(State())

    /// Opens started so far.
    var openCount: Int { state.withLock { $0.opens } }
    /// Connections opened successfully, in order.
    var connections: [FakeConnection] { state.withLock { $0.connections } }
    /// Opens hanging until `resumeHeld()`.
    var heldCount: Int { state.withLock { $0.held.count } }

    /// The next `count` opens throw ``OpenFailure``.
    func failNext(_ count: Int) {
        state.withLock { $0.failuresLeft = count }
    }

    /// Opens from now on hang until `resumeHeld()`.
    func hold() {
        state.withLock { $0.holding = true }
    }

    /// Lets the hanging opens complete and stops holding new ones.
    func resumeHeld() {
        let held = state.withLock { state in
            state.holding = false
            defer { state.held.removeAll() }
            return state.held
        }
        for continuation in held { continuation.resume() }
    }

    /// The pool's `open`.
    func open() async throws -> FakeConnection {
        let (number, holding) = state.withLock { state in
            state.opens += 1
            return (state.opens, state.holding)
        }
        if holding {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.holding else { return true }
                    state.held.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        let fails = state.withLock { state -> Bool in
            guard state.failuresLeft > 0 else { return false }
            state.failuresLeft -= 1
            return true
        }
        if fails { throw OpenFailure() }
        let connection = FakeConnection(number: number)
        state.withLock { $0.connections.append(connection) }
        return connection
    }
}
