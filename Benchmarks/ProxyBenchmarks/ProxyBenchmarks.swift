import Benchmark
import JSONRPC
import MCPRouting
import MCPStats
import NIOCore
import ProxyBenchmarkSupport

// Microbenchmarks of the proxy's hot path. Run them with
//   swift package benchmark --target ProxyBenchmarks
// or, without the plugin, run the built executable (it then runs every benchmark itself):
//   .build/release/ProxyBenchmarks [--filter REGEX]
// MCP_BENCH_QUICK=1 makes every benchmark take a few iterations only (CI smoke run).

let benchmarks: @Sendable () -> Void = {
    let scanner = JSONRPCScanner()

    // MARK: Envelope scan

    for (label, message, configuration) in [
        ("small (300 B)", SampleMessages.small, BenchmarkSettings.perOperation),
        ("medium (10 KB arguments)", SampleMessages.medium, BenchmarkSettings.perOperation),
        ("large (1 MB arguments)", SampleMessages.large, BenchmarkSettings.perCall),
    ] {
        Benchmark("Envelope scan: \(label), \(message.readableBytes) bytes", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? scanner.scanMessage(message))
            }
        }
    }

    // MARK: Id splice

    Benchmark("Id splice: new id and progress token into a 300 B request", configuration: BenchmarkSettings.perOperation) { benchmark in
        guard let message = try? scanner.scanMessage(SampleMessages.small),
              let idRange = message.envelope.idRange, let tokenRange = message.envelope.progressTokenRange else {
            benchmark.error("the sample request did not scan")
            return
        }
        let replacement = JSONRPCID.number(123_456).jsonBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(message.splicing([ByteSplice(range: idRange, replacement: replacement), ByteSplice(range: tokenRange, replacement: replacement)]))
        }
    }

    // MARK: Route match

    for count in [10, 100, 1000] {
        let routes = RouteRules.table(count: count)
        Benchmark("Route match: tools/call through \(count) glob rules (last one matches)", configuration: BenchmarkSettings.perOperation) { benchmark in
            guard routes.count == count, routes.decide(method: "tools/call", name: SampleMessages.exposedTool, upstream: nil) == .allow else {
                benchmark.error("the route table does not end in the matching rule")
                return
            }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(routes.decide(method: "tools/call", name: SampleMessages.exposedTool, upstream: nil))
            }
        }
    }

    // MARK: Hot path from the public pieces

    Benchmark("Hot path: tools/call request leg, 300 B, 100 routes (scan, route, resolve, stats, splice, write)", configuration: BenchmarkSettings.perOperation) { benchmark in
        let pipeline = HotPathPipeline(routes: RouteRules.table(count: 100), stats: StatsRegistry(significantDigits: 2))
        guard pipeline.forward(SampleMessages.small) != nil else {
            benchmark.error("the sample request was not forwarded")
            return
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(pipeline.forward(SampleMessages.small))
        }
    }

    Benchmark("Hot path: tools/call round trip, 300 B, 100 routes (request leg + response scan, id restore, write)", configuration: BenchmarkSettings.perOperation) { benchmark in
        let pipeline = HotPathPipeline(routes: RouteRules.table(count: 100), stats: StatsRegistry(significantDigits: 2))
        var pending: [Int64: HotPathPipeline.Forwarded] = [:]
        pending.reserveCapacity(16)
        pipeline.nextUpstreamID = 7
        guard let first = pipeline.forward(SampleMessages.small) else {
            benchmark.error("the sample request was not forwarded")
            return
        }
        pending[first.upstreamID] = first
        guard pipeline.answer(SampleMessages.response, pending: &pending) else {
            benchmark.error("the sample response was not matched")
            return
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            pipeline.nextUpstreamID = 7
            if let forwarded = pipeline.forward(SampleMessages.small) {
                pending[forwarded.upstreamID] = forwarded
            }
            blackHole(pipeline.answer(SampleMessages.response, pending: &pending))
        }
    }

    // MARK: The request pipeline's security stages

    Benchmark("Pipeline: empty chain (baseline for the stage costs)", configuration: BenchmarkSettings.perOperation) { benchmark in
        guard let chain = try? SecurityChain(), chain.runEmpty(now: 1) else {
            benchmark.error("the empty chain did not forward")
            return
        }
        var now: UInt64 = 2
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            now &+= 1_000
            blackHole(chain.runEmpty(now: now))
        }
    }

    Benchmark("Pipeline: authorization + rate limits (principal, principal+tool, upstream), allowed tools/call", configuration: BenchmarkSettings.perOperation) { benchmark in
        guard let chain = try? SecurityChain(), chain.run(now: 1) else {
            benchmark.error("the security chain refused the sample call")
            return
        }
        var now: UInt64 = 2
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            now &+= 1_000
            blackHole(chain.run(now: now))
        }
    }

    // MARK: The real MCPProxy, in memory

    let box = ProxyBox()
    Benchmark(
        "MCPProxy in-process: tools/call round trip through fake transports, 300 B, 100 routes",
        configuration: BenchmarkSettings.perOperation.with(
            setup: {
                let proxy = try InProcessProxy(routes: RouteRules.table(count: 100))
                try await proxy.start()
                box.proxy = proxy
            },
            teardown: {
                await box.proxy?.stop()
                box.proxy = nil
            })
    ) { benchmark in
        guard let proxy = box.proxy else {
            benchmark.error("the proxy did not start")
            return
        }
        for _ in benchmark.scaledIterations {
            proxy.call()
        }
    }

    let securedBox = ProxyBox()
    Benchmark(
        "MCPProxy in-process: tools/call round trip as above, with authorization and rate limits in the pipeline",
        configuration: BenchmarkSettings.perOperation.with(
            setup: {
                let proxy = try InProcessProxy(routes: RouteRules.table(count: 100), secured: true)
                try await proxy.start()
                securedBox.proxy = proxy
            },
            teardown: {
                await securedBox.proxy?.stop()
                securedBox.proxy = nil
            })
    ) { benchmark in
        guard let proxy = securedBox.proxy else {
            benchmark.error("the proxy did not start")
            return
        }
        for _ in benchmark.scaledIterations {
            proxy.call()
        }
    }

    Benchmark("MCPProxy in-process baseline: the fakes alone (upstream answer + client receive)", configuration: BenchmarkSettings.perOperation) { benchmark in
        let client = FakeClientTransport()
        let forwarded = SampleMessages.forwardedSmall
        for _ in benchmark.scaledIterations {
            client.send(FakeUpstreamTransport.answer(to: forwarded))
        }
    }

    toolSearchBenchmarks()  // ToolSearchBenchmarks.swift
    clusterBenchmarks()  // ClusterBenchmarks.swift
}

/// Holds the in-process proxy between a benchmark's setup, body and teardown.
final class ProxyBox: @unchecked Sendable {
    // @unchecked: the benchmark runner calls setup, body and teardown one after another.
    var proxy: InProcessProxy?
}

extension Benchmark.Configuration {
    /// This configuration with setup and teardown hooks.
    func with(setup: @escaping Benchmark.BenchmarkSetupHook, teardown: @escaping Benchmark.BenchmarkTeardownHook) -> Benchmark.Configuration {
        var copy = self
        copy.setup = setup
        copy.teardown = teardown
        return copy
    }
}
