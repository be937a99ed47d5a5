import CoreMetrics
import Logging
import MCPConfig
import MCPStats
import MCPStatsMetrics

/// The gateway's side of `proxy.metrics`: the swift-metrics export of its registry, started
/// with the gateway, changed by a reload, and stopped (after one last export) with it.
enum MetricsExport {
    /// The bridge `settings` ask for: `current` when it already fits, a new one (the old one
    /// stopped) when the interval changed, nil when the export is off or no backend is
    /// bootstrapped. `refresh` runs before each export (gauges read on demand).
    static func apply(
        _ settings: MetricsSettings, replacing current: StatsMetricsBridge?, stats: StatsRegistry, logger: Logger,
        refresh: @escaping @Sendable () -> Void
    ) async -> StatsMetricsBridge? {
        let interval = Duration.milliseconds(Int64((settings.exportIntervalSeconds * 1000).rounded()))
        if let current, settings.swiftMetrics, current.interval == interval { return current }
        await current?.stop()
        guard settings.swiftMetrics else { return nil }
        if MetricsSystem.factory is NOOPMetricsHandler {
            logger.notice("proxy.metrics.swiftMetrics: no swift-metrics backend is bootstrapped in this process, so nothing is exported; the admin listener's /metrics serves the same series as Prometheus text")
            return nil
        }
        let bridge = StatsMetricsBridge(registry: stats, interval: interval, beforeExport: refresh)
        bridge.start()
        logger.info("exporting statistics to swift-metrics", metadata: ["interval": "\(interval)"])
        return bridge
    }
}
