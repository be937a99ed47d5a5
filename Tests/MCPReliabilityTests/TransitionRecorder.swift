import MCPReliability
import Synchronization

/// Collects a circuit breaker's `onTransition` calls.
final class TransitionRecorder: Sendable {
    private let recorded = Mutex<[String]>([])

    /// The callback to hand to the breaker.
    var callback: @Sendable (CircuitState, CircuitState) -> Void {
        { old, new in self.recorded.withLock { $0.append("\(old.name)->\(new.name)") } }
    }

    /// The transitions so far, as "old->new" names.
    var transitions: [String] { recorded.withLock { $0 } }
}
