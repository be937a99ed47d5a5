import Histogram

/// The numbers of one measured run.
struct RunReport: Sendable {
    var target: String
    var transport: String
    var run: Int
    var requests: Int
    var concurrency: Int
    var payloadBytes: Int
    var errors: Int
    var elapsedSeconds: Double
    var histogram: Histogram<UInt64>
    /// Memory of the observed process (the spawned target, or `--pid`), if known.
    var targetPID: Int32?
    var idleMemory: ProcessMemory?
    var endMemory: ProcessMemory?
    var errorSamples: [String] = []

    var mode: String { concurrency == 1 ? "latency" : "throughput" }
    var requestsPerSecond: Double { elapsedSeconds > 0 ? Double(requests) / elapsedSeconds : 0 }

    private func micros(_ percentile: Double) -> Double {
        histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    /// One JSON object on one line, keys in a fixed order.
    var jsonLine: String {
        var fields: [(String, String)] = [
            ("target", quoted(target)), ("transport", quoted(transport)), ("mode", quoted(mode)), ("run", "\(run)"),
            ("requests", "\(requests)"), ("concurrency", "\(concurrency)"), ("payload_bytes", "\(payloadBytes)"),
            ("errors", "\(errors)"), ("elapsed_s", fixed(elapsedSeconds, 4)), ("req_per_s", fixed(requestsPerSecond, 1)),
            ("p50_us", fixed(micros(50), 2)), ("p90_us", fixed(micros(90), 2)), ("p99_us", fixed(micros(99), 2)),
            ("p999_us", fixed(micros(99.9), 2)), ("max_us", fixed(histogram.totalCount == 0 ? 0 : Double(histogram.max) / 1000, 2)),
            ("mean_us", fixed(histogram.totalCount == 0 ? 0 : histogram.mean / 1000, 2)),
        ]
        if let targetPID { fields.append(("target_pid", "\(targetPID)")) }
        if let idleMemory { fields.append(("idle_rss_kb", "\(idleMemory.rssKB)")) }
        if let endMemory {
            fields.append(("rss_kb", "\(endMemory.rssKB)"))
            fields.append(("peak_rss_kb", "\(endMemory.peakKB)"))
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A few aligned lines for people.
    var table: String {
        var text = "\(target) [\(transport), \(mode), run \(run)]: \(requests) requests, concurrency \(concurrency), \(payloadBytes)-byte calls, \(errors) errors\n"
        text += "  req/s \(fixed(requestsPerSecond, 0))   p50 \(fixed(micros(50), 1)) µs   p90 \(fixed(micros(90), 1)) µs   p99 \(fixed(micros(99), 1)) µs   p99.9 \(fixed(micros(99.9), 1)) µs   max \(fixed(histogram.totalCount == 0 ? 0 : Double(histogram.max) / 1000, 1)) µs\n"
        if let idleMemory { text += "  target RSS idle \(idleMemory.rssKB) KiB" }
        if let endMemory { text += (idleMemory == nil ? "  target" : ",") + " RSS now \(endMemory.rssKB) KiB, peak \(endMemory.peakKB) KiB" }
        if idleMemory != nil || endMemory != nil { text += "\n" }
        for sample in errorSamples { text += "  error: \(sample)\n" }
        return text
    }
}

/// `value` with `digits` decimals, without Foundation.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    let sign = value < 0 && scaled > 0 ? "-" : ""
    guard digits > 0 else { return sign + String(whole) }
    let fractionText = String(fraction)
    return sign + String(whole) + "." + String(repeating: "0", count: max(0, digits - fractionText.count)) + fractionText
}

/// A JSON string literal.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
