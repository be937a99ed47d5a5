/// Renders a ``StatsSnapshot`` as compact JSON without Foundation.
///
/// Keys appear in the order the types declare them; `errorCodes` are sorted by numeric code
/// (then text), `labels` by name. The output decodes with `JSONDecoder` into an equal snapshot.
enum JSONRenderer {
    static func render(_ snapshot: StatsSnapshot) -> String {
        var out = ""
        out.reserveCapacity(64 + snapshot.requests.count * 400 + (snapshot.counters.count + snapshot.gauges.count) * 80)
        out += "{\"requests\":["
        for (index, series) in snapshot.requests.enumerated() {
            if index > 0 { out += "," }
            write(series, to: &out)
        }
        out += "],\"counters\":"
        write(snapshot.counters, to: &out)
        out += ",\"gauges\":"
        write(snapshot.gauges, to: &out)
        out += "}"
        return out
    }

    private static func write(_ series: RequestSeriesSnapshot, to out: inout String) {
        out += "{\"upstream\":"
        writeString(series.upstream, to: &out)
        out += ",\"method\":"
        writeString(series.method, to: &out)
        out += ",\"tool\":"
        if let tool = series.tool {
            writeString(tool, to: &out)
        } else {
            out += "null"
        }
        out += ",\"count\":\(series.count),\"errors\":\(series.errors),\"timeouts\":\(series.timeouts)"
        out += ",\"cancelled\":\(series.cancelled),\"unavailable\":\(series.unavailable),\"errorCodes\":{"
        let codes = series.errorCodes.sorted { lhs, rhs in
            switch (Int(lhs.key), Int(rhs.key)) {
            case let (left?, right?) where left != right: left < right
            default: lhs.key < rhs.key
            }
        }
        for (index, entry) in codes.enumerated() {
            if index > 0 { out += "," }
            writeString(entry.key, to: &out)
            out += ":\(entry.value)"
        }
        let latency = series.latency
        out += "},\"latency\":{\"count\":\(latency.count),\"minNanoseconds\":\(latency.minNanoseconds)"
        out += ",\"maxNanoseconds\":\(latency.maxNanoseconds),\"meanNanoseconds\":\(latency.meanNanoseconds)"
        out += ",\"p50Nanoseconds\":\(latency.p50Nanoseconds),\"p90Nanoseconds\":\(latency.p90Nanoseconds)"
        out += ",\"p99Nanoseconds\":\(latency.p99Nanoseconds),\"p999Nanoseconds\":\(latency.p999Nanoseconds)}}"
    }

    private static func write(_ metrics: [MetricSnapshot], to out: inout String) {
        out += "["
        for (index, metric) in metrics.enumerated() {
            if index > 0 { out += "," }
            out += "{\"name\":"
            writeString(metric.name, to: &out)
            out += ",\"labels\":{"
            for (labelIndex, label) in metric.labels.sorted(by: { $0.key < $1.key }).enumerated() {
                if labelIndex > 0 { out += "," }
                writeString(label.key, to: &out)
                out += ":"
                writeString(label.value, to: &out)
            }
            out += "},\"value\":\(metric.value)}"
        }
        out += "]"
    }

    /// Writes a JSON string literal: escapes `"`, `\` and control characters (RFC 8259).
    static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}":
                out += "\\u00"
                out.unicodeScalars.append(hexDigit(UInt8(scalar.value >> 4)))
                out.unicodeScalars.append(hexDigit(UInt8(scalar.value & 0xF)))
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func hexDigit(_ nibble: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
    }
}
