import MCPPool
import Synchronization

/// A connection that counts its closes and can be stopped.
final class FakeConnection: PooledConnection, CustomStringConvertible {
    /// Its open number at the fake upstream (1 for the first open).
    let number: Int
    private let usable = Atomic<Bool>(true)
    private let closes = Atomic<Int>(0)

    init(number: Int) {
        self.number = number
    }

    var isUsable: Bool { usable.load(ordering: .acquiring) }

    /// How many times the pool closed it (must never exceed 1).
    var closeCount: Int { closes.load(ordering: .acquiring) }

    /// Makes it report not usable, as a crashed upstream would.
    func stop() {
        usable.store(false, ordering: .releasing)
    }

    func close() async {
        closes.add(1, ordering: .acquiringAndReleasing)
        usable.store(false, ordering: .releasing)
    }

    var description: String { "connection #\(number)" }
}
