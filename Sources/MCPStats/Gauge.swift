import Synchronization

/// A value that can go up and down (open sessions, in-flight requests), lock-free.
///
/// Obtain it once from ``StatsRegistry/gauge(_:help:labels:)`` and keep it.
public final class Gauge: Sendable {
    /// The metric name as exported: sanitised to `[a-zA-Z_:][a-zA-Z0-9_:]*`, and suffixed with
    /// `_gauge` if the requested name was already taken by a counter or a built-in metric.
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

    /// Sets the gauge to `newValue`.
    public func set(_ newValue: Int) {
        storage.store(newValue, ordering: .relaxed)
    }

    /// Adds `delta` (negative to decrease); wraps on overflow instead of trapping.
    public func add(_ delta: Int) {
        storage.wrappingAdd(delta, ordering: .relaxed)
    }

    /// The current value.
    public var value: Int {
        storage.load(ordering: .relaxed)
    }
}
