import JSONRPC
import MCPStats
import NIOCore
import ProxyBenchmarkSupport
import Synchronization
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// hot-path-profile: runs one hot-path operation in a plain loop, without the benchmark harness
// (whose malloc interposer valgrind cannot run), for instruction counts and profiles:
//
//   hot-path-profile MODE [ITERATIONS]
//   valgrind --tool=callgrind --toggle-collect='*profiledLoop*' hot-path-profile request 20000
//
// MODE: scan (300 B envelope scan), request (the request leg), roundtrip (request and response
// legs), proxy (a real MCPProxy with in-memory transports), routes (100-rule decision),
// security (the pipeline's authorization and rate-limit stages on one tools/call),
// proxy-secured (proxy, with those stages in its pipeline).
// Prints the wall time per operation; under callgrind, divide the collected Ir by ITERATIONS.

/// Writes `text` to stderr and exits.
func fail(_ text: String, status: Int32 = 1) -> Never {
    var text = text
    text.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(status)
}

let usage = "usage: hot-path-profile scan|request|roundtrip|proxy|proxy-secured|routes|security [ITERATIONS]\n"
let arguments = CommandLine.arguments.dropFirst()
guard let mode = arguments.first, ["scan", "request", "roundtrip", "proxy", "proxy-secured", "routes", "security"].contains(mode) else {
    fail(usage, status: 2)
}
let iterations = arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000

/// The measured loop; its symbol is what `--toggle-collect` names.
@inline(never)
func profiledLoop(_ iterations: Int, _ body: () -> Void) {
    for _ in 0..<iterations { body() }
}

func report(_ start: UInt64) {
    let elapsed = HotPathPipeline.now() &- start
    print("\(mode): \(iterations) operations, \(Double(elapsed) / Double(max(iterations, 1))) ns each")
}

switch mode {
case "scan":
    let scanner = JSONRPCScanner()
    let start = HotPathPipeline.now()
    profiledLoop(iterations) { _ = try? scanner.scanMessage(SampleMessages.small) }
    report(start)
case "request":
    let pipeline = HotPathPipeline(routes: RouteRules.table(count: 100), stats: StatsRegistry(significantDigits: 2))
    let start = HotPathPipeline.now()
    profiledLoop(iterations) { _ = pipeline.forward(SampleMessages.small) }
    report(start)
case "roundtrip":
    let pipeline = HotPathPipeline(routes: RouteRules.table(count: 100), stats: StatsRegistry(significantDigits: 2))
    var pending: [Int64: HotPathPipeline.Forwarded] = [:]
    let start = HotPathPipeline.now()
    profiledLoop(iterations) {
        pipeline.nextUpstreamID = 7
        if let forwarded = pipeline.forward(SampleMessages.small) { pending[forwarded.upstreamID] = forwarded }
        _ = pipeline.answer(SampleMessages.response, pending: &pending)
    }
    report(start)
case "security":
    guard let chain = try? SecurityChain() else { fail("hot-path-profile: the security chain could not be built\n") }
    var now: UInt64 = 1
    let start = HotPathPipeline.now()
    profiledLoop(iterations) {
        now &+= 1_000
        _ = chain.run(now: now)
    }
    report(start)
case "routes":
    let routes = RouteRules.table(count: 100)
    let start = HotPathPipeline.now()
    profiledLoop(iterations) { _ = routes.decide(method: "tools/call", name: SampleMessages.exposedTool, upstream: nil) }
    report(start)
default:
    // No top-level await: an async main parks the main thread in libdispatch, where valgrind
    // 3.19 crashes. The setup runs as a task and the main thread waits for it.
    let proxy = try InProcessProxy(routes: RouteRules.table(count: 100), secured: mode == "proxy-secured")
    let started = DispatchSemaphore(value: 0)
    let failure = Mutex<String?>(nil)
    Task.detached {
        do {
            try await proxy.start()
        } catch {
            failure.withLock { $0 = "\(error)" }
        }
        started.signal()
    }
    started.wait()
    if let message = failure.withLock({ $0 }) { fail("hot-path-profile: \(message)\n") }
    let before = proxy.client.receivedCount
    let start = HotPathPipeline.now()
    profiledLoop(iterations) { proxy.call() }
    report(start)
    let answered = proxy.client.receivedCount - before
    let stopped = DispatchSemaphore(value: 0)
    Task.detached {
        await proxy.stop()
        stopped.signal()
    }
    stopped.wait()
    guard answered == iterations else {
        fail("hot-path-profile: \(answered) of \(iterations) calls were answered\n")
    }
}
