import Synchronization

/// A gate the test opens and closes, counting how often the pool asks it.
final class FakeGate: Sendable {
    private let state: Mutex<(open: Bool, asked: Int)>

    init(open: Bool) {
        state = Mutex((open: open, asked: 0))
    }

    var asked: Int { state.withLock { $0.asked } }

    func set(open: Bool) {
        state.withLock { $0.open = open }
    }

    func allows() -> Bool {
        state.withLock { state in
            state.asked += 1
            return state.open
        }
    }
}
