import Histogram
import NIOCore

/// One connection with its handshake done, ready to carry load.
struct LoadSession: Sendable {
    let connection: any RPCConnection
    let ids: IDSource
    let request: ToolCallRequest
    let recorder: LatencyRecorder
}

/// What one measured run gathered, merged over all sessions.
struct RunTotals: Sendable {
    let histogram: Histogram<UInt64>
    let errors: Int
    let errorSamples: [String]
    let elapsedSeconds: Double
}

/// Drives the load over a set of sessions: warm-up, then measured runs.
enum LoadRun {
    /// The warm-up, then `load.runs` measured runs, each printed as a JSON line (and a table unless
    /// quiet). `memory` reads the target's memory after each run. Returns whether any request failed.
    static func measure(
        _ sessions: [LoadSession], load: LoadOptions, label: String, transport: String,
        targetPID: Int32?, idleMemory: ProcessMemory?, memory: () -> ProcessMemory?
    ) async throws -> Bool {
        if load.warmup > 0 { _ = try await run(sessions, total: load.warmup, record: false) }
        var failed = false
        for number in 1...load.runs {
            let totals = try await run(sessions, total: load.requests, record: true)
            let report = RunReport(
                target: label, transport: transport, run: number, requests: load.requests, concurrency: load.concurrency,
                payloadBytes: load.payload, errors: totals.errors, elapsedSeconds: totals.elapsedSeconds,
                histogram: totals.histogram, targetPID: targetPID, idleMemory: idleMemory,
                endMemory: memory(), errorSamples: totals.errorSamples)
            BenchOutput.json(report.jsonLine)
            if !load.quiet { BenchOutput.note(report.table) }
            if totals.errors > 0 { failed = true }
        }
        return failed
    }

    /// Sends `total` requests split evenly over `sessions`; records them unless `record` is false.
    static func run(_ sessions: [LoadSession], total: Int, record: Bool) async throws -> RunTotals {
        var recorders: [ObjectIdentifier: LatencyRecorder] = [:]
        for session in sessions { recorders[ObjectIdentifier(session.recorder)] = session.recorder }
        for session in sessions {
            try await session.connection.eventLoop.submit { session.recorder.reset() }.get()
        }
        let start = NIODeadline.now().uptimeNanoseconds
        var futures: [EventLoopFuture<Void>] = []
        for (index, session) in sessions.enumerated() {
            let count = total / sessions.count + (index < total % sessions.count ? 1 : 0)
            guard count > 0 else { continue }
            let driver = LoadDriver(connection: session.connection, request: session.request, count: count,
                                    recorder: record ? session.recorder : nil, ids: session.ids)
            futures.append(driver.run())
        }
        for future in futures { try await future.get() }
        let elapsed = Double(NIODeadline.now().uptimeNanoseconds &- start) / 1e9
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var errors = 0
        var samples: [String] = []
        for session in sessions {
            guard let recorder = recorders.removeValue(forKey: ObjectIdentifier(session.recorder)) else { continue }
            let (part, count, partSamples) = try await session.connection.eventLoop.submit {
                (recorder.histogram, recorder.errors, recorder.errorSamples)
            }.get()
            histogram.add(part)
            errors += count
            samples += partSamples.prefix(max(0, 3 - samples.count))
        }
        return RunTotals(histogram: histogram, errors: errors, errorSamples: samples, elapsedSeconds: elapsed)
    }
}
