import MCPPool
import Synchronization

/// Records the pool's events.
final class EventRecorder: Sendable {
    private let recorded = Mutex<[PoolEvent]>([])

    var events: [PoolEvent] { recorded.withLock { $0 } }

    func record(_ event: PoolEvent) {
        recorded.withLock { $0.append(event) }
    }

    func count(_ event: PoolEvent) -> Int {
        events.filter { $0 == event }.count
    }
}
