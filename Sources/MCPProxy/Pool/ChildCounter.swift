import Synchronization

/// How many children of one per-session upstream run across all client sessions (`maxChildren`).
final class ChildCounter: Sendable {
    private let count = Mutex(0)

    /// Takes a slot unless `limit` are taken (0: no limit); false: at the cap.
    func take(limit: Int) -> Bool {
        count.withLock { count in
            guard limit == 0 || count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives a slot back.
    func giveBack() {
        count.withLock { $0 = max($0 - 1, 0) }
    }

    /// Slots taken.
    var value: Int { count.withLock { $0 } }
}
