import CoreMetrics
import MCPStats
import Synchronization

/// Reports a `StatsRegistry` (MCPStats) into swift-metrics, so that whatever backend the process
/// bootstrapped (swift-prometheus, statsd, OpenTelemetry) sees every series of
/// `Documentation/Metrics.md` under the same names and labels.
///
/// ```swift
/// MetricsSystem.bootstrap(PrometheusMetricsFactory())     // your backend, once per process
/// let gateway = Gateway(config: config)
/// let bridge = gateway.stats.startSwiftMetricsExport()     // every 5 s
/// ...
/// await bridge.stop()                                      // one last export
/// ```
///
/// It exports periodically, off the request path: every `interval` it reads the registry (one
/// copy per series under the series' lock) and applies what changed since the last export.
/// Requests pay nothing for it, and a registry with no bridge is exactly as cheap as before.
///
/// What the backend sees:
/// - counters (`mcp_proxy_requests_total` by outcome, `mcp_proxy_request_errors_total` by code,
///   and every free counter): `Counter`s incremented by the increase since the last export;
/// - gauges: `Gauge`s set to the current value at every export;
/// - `mcp_proxy_request_duration_seconds`: a `Timer` per (upstream, method, tool) that receives
///   every request's latency, at the registry histogram's resolution (the lowest value of its
///   cell: 1% with 2 significant digits, 0.1% with 3), a batch at each export. Latencies above
///   the registry's trackable range (60 s) arrive as that range's top. A backend that keeps
///   its own buckets (swift-prometheus) counts them into those: give it the bounds of
///   `Documentation/Metrics.md` for `_bucket` lines identical to the admin `/metrics`.
///
/// Values reach the backend at most `interval` late, and a backend that timestamps
/// observations stamps them at export time.
public final class StatsMetricsBridge: Sendable {
    /// The registry read.
    public let registry: StatsRegistry
    /// Time between two exports.
    public let interval: Duration
    private let factory: any MetricsFactory
    private let beforeExport: (@Sendable () -> Void)?
    private let state = Mutex(BridgeState())
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Creates a bridge; nothing is exported until ``start()`` or ``export()``.
    ///
    /// - Parameters:
    ///   - registry: the proxy's numbers, read at each export.
    ///   - factory: where the metrics go; `MetricsSystem.factory` (what the process
    ///     bootstrapped) by default.
    ///   - interval: time between two exports (at least 10 ms).
    ///   - beforeExport: runs before each export, to refresh gauges that are read on demand.
    public init(
        registry: StatsRegistry, factory: any MetricsFactory = MetricsSystem.factory, interval: Duration = .seconds(5),
        beforeExport: (@Sendable () -> Void)? = nil
    ) {
        self.registry = registry
        self.factory = factory
        self.interval = max(interval, .milliseconds(10))
        self.beforeExport = beforeExport
    }

    /// Starts exporting every ``interval`` in a task of its own (the first export runs at once);
    /// idempotent.
    public func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { await self.run() }
        }
    }

    /// Stops the periodic export and exports once more, so the backend has the last numbers.
    public func stop() async {
        let running = task.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        guard let running else { return }
        running.cancel()
        await running.value
        export()
    }

    /// Exports every ``interval`` until the calling task is cancelled (for a service group that
    /// runs its services' `run()`; ``start()`` runs it in a task of its own).
    public func run() async {
        while !Task.isCancelled {
            export()
            try? await Task.sleep(for: interval)
        }
    }

    /// Exports once now: counters get their increase since the last export, gauges their
    /// value, timers the latencies recorded since. Safe from any thread; exports do not overlap.
    public func export() {
        beforeExport?()
        state.withLock { state in
            // Only series with new requests have new latencies: the others' cells are not read.
            let reading = registry.exportReading { upstream, method, tool, count in
                state.needsCells(BridgeState.SeriesKey(upstream: upstream, method: method, tool: tool), count: count)
            }
            for series in reading.series {
                state.apply(series, factory: factory)
            }
            for counter in reading.counters {
                state.apply(counter: counter, factory: factory)
            }
            for gauge in reading.gauges {
                state.apply(gauge: gauge, factory: factory)
            }
        }
    }
}

extension StatsRegistry {
    /// Starts reporting this registry into swift-metrics every `interval` (see
    /// ``StatsMetricsBridge``); keep the result to ``StatsMetricsBridge/stop()`` it.
    @discardableResult
    public func startSwiftMetricsExport(
        every interval: Duration = .seconds(5), factory: any MetricsFactory = MetricsSystem.factory
    ) -> StatsMetricsBridge {
        let bridge = StatsMetricsBridge(registry: self, factory: factory, interval: interval)
        bridge.start()
        return bridge
    }
}
