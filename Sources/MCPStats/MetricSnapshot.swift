/// Point-in-time value of one ``Counter`` or ``Gauge``.
public struct MetricSnapshot: Sendable, Codable, Equatable {
    /// Exported metric name.
    public var name: String
    /// Labels, names sanitised.
    public var labels: [String: String]
    /// The value when the snapshot was taken.
    public var value: Int

    /// Creates a snapshot from its parts.
    public init(name: String, labels: [String: String] = [:], value: Int) {
        self.name = name
        self.labels = labels
        self.value = value
    }
}
