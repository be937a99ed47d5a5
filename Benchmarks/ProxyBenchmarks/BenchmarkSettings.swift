import Benchmark

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Iteration settings: full by default; tiny with `MCP_BENCH_QUICK=1` (a CI smoke run that only
/// checks that every benchmark runs, not what it measures).
enum BenchmarkSettings {
    static let quick: Bool = getenv("MCP_BENCH_QUICK").map { String(cString: $0) != "0" } ?? false

    static let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .mallocCountTotal, .throughput]

    /// For operations of a few microseconds or less: 1000 operations a sample, results per operation.
    static var perOperation: Benchmark.Configuration {
        .init(metrics: metrics, warmupIterations: quick ? 1 : 10, scalingFactor: .kilo,
              maxDuration: quick ? .milliseconds(100) : .seconds(2), maxIterations: quick ? 3 : 100_000)
    }

    /// For operations of a millisecond or more (the 1 MB scan).
    static var perCall: Benchmark.Configuration {
        .init(metrics: metrics, warmupIterations: quick ? 1 : 5, scalingFactor: .one,
              maxDuration: quick ? .milliseconds(100) : .seconds(2), maxIterations: quick ? 3 : 10_000)
    }
}
