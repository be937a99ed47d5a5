import Histogram

/// Latencies and errors of one event loop's connections; touched only on that loop.
final class LatencyRecorder: @unchecked Sendable {
    // @unchecked: used only on the event loop it belongs to, read after that loop's work is done.
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    var errors = 0
    /// The first few error messages, for the report.
    var errorSamples: [String] = []

    func record(nanoseconds: UInt64) {
        _ = histogram.record(nanoseconds)
    }

    func recordError(_ message: String) {
        errors += 1
        if errorSamples.count < 3 { errorSamples.append(message) }
    }

    func reset() {
        histogram.reset()
        errors = 0
        errorSamples.removeAll()
    }
}
