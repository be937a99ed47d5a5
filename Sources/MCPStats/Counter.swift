import Synchronization

/// A monotonically increasing counter, lock-free (one relaxed atomic add per increment).
///
/// Obtain it once from ``StatsRegistry/counter(_:help:labels:)`` and keep it.
public final class Counter: Sendable {
    /// The metric name as exported: sanitised to `[a-zA-Z_:][a-zA-Z0-9_:]*`, and suffixed with
    /// `_counter` if the requested name was already taken by a gauge or a built-in metric.
    public let name: String
    /// The `# HELP` text, from the first registration of this name.
    public let help: String
    /// Label pairs (name, value), names sanitised to `[a-zA-Z_][a-zA-Z0-9_]*`, sorted by name.
    public let labels: [(String, String)]

    private let storage = Atomic<Int>(0)

    init(name: String, help: String, labels: [(String, String)]) {
        self.name = name
        self.help = help
        self.labels = labels
    }

    /// Adds `amount` to the counter. A counter never goes down: zero or negative amounts are ignored.
    public func increment(by amount: Int = 1) {
        guard amount > 0 else { return }
        storage.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current value.
    public var value: Int {
        storage.load(ordering: .relaxed)
    }
}
