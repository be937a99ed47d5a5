import XCTest

/// A strict line-by-line parser of the Prometheus text exposition format 0.0.4, used to check
/// what `StatsRegistry.prometheusText()` produces.
struct PrometheusExposition {
    struct Sample {
        var name: String
        var labels: [(String, String)]
        var value: Double

        func label(_ name: String) -> String? {
            labels.first { $0.0 == name }?.1
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    var samples: [Sample] = []
    var help: [String: String] = [:]
    var types: [String: String] = [:]

    init(parsing text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else {
            throw ParseError(line: 0, reason: "text must end with a line feed")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst("# HELP ".count)
                guard let space = rest.firstIndex(of: " ") else { throw ParseError(line: number, reason: "HELP without text") }
                let name = String(rest[..<space])
                guard Self.isMetricName(name) else { throw ParseError(line: number, reason: "bad metric name \(name)") }
                guard help[name] == nil else { throw ParseError(line: number, reason: "second HELP for \(name)") }
                help[name] = try Self.unescape(rest[rest.index(after: space)...], allowQuote: false, line: number)
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst("# TYPE ".count).split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, Self.isMetricName(String(parts[0])) else { throw ParseError(line: number, reason: "bad TYPE line") }
                guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[1])) else {
                    throw ParseError(line: number, reason: "bad type \(parts[1])")
                }
                let name = String(parts[0])
                guard types[name] == nil else { throw ParseError(line: number, reason: "second TYPE for \(name)") }
                guard !samples.contains(where: { family(of: $0.name) == name }) else {
                    throw ParseError(line: number, reason: "TYPE after samples of \(name)")
                }
                types[name] = String(parts[1])
            } else if line.hasPrefix("#") || line.isEmpty {
                throw ParseError(line: number, reason: "unexpected comment or blank line")
            } else {
                samples.append(try Self.parseSample(line, line: number))
            }
        }
    }

    /// The family a sample name belongs to (histogram suffixes stripped when the base is a histogram).
    func family(of sampleName: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return sampleName
    }

    static func isMetricName(_ name: String) -> Bool {
        isName(name, allowColon: true)
    }

    static func isName(_ name: String, allowColon: Bool) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        if ("0"..."9").contains(first) { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "_" || (allowColon && scalar == ":")
        }
    }

    private static func unescape(_ text: Substring, allowQuote: Bool, line: Int) throws -> String {
        var result = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\\" {
                switch iterator.next() {
                case "\\": result += "\\"
                case "n": result += "\n"
                case "\"" where allowQuote: result += "\""
                default: throw ParseError(line: line, reason: "bad escape")
                }
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func parseSample(_ text: Substring, line: Int) throws -> Sample {
        let scalars = Array(text.unicodeScalars)
        var position = 0
        func readName(allowColon: Bool) -> String {
            var name = String.UnicodeScalarView()
            while position < scalars.count {
                let scalar = scalars[position]
                let isLetter = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
                let isDigit = ("0"..."9").contains(scalar)
                guard isLetter || (allowColon && scalar == ":") || (isDigit && !name.isEmpty) else { break }
                name.append(scalar)
                position += 1
            }
            return String(name)
        }
        let name = readName(allowColon: true)
        guard !name.isEmpty else { throw ParseError(line: line, reason: "sample without a name") }
        var labels: [(String, String)] = []
        if position < scalars.count, scalars[position] == "{" {
            position += 1
            while position < scalars.count, scalars[position] != "}" {
                let labelName = readName(allowColon: false)
                guard !labelName.isEmpty, !labels.contains(where: { $0.0 == labelName }) else {
                    throw ParseError(line: line, reason: "bad or repeated label name")
                }
                guard position + 1 < scalars.count, scalars[position] == "=", scalars[position + 1] == "\"" else {
                    throw ParseError(line: line, reason: "expected =\" after label name")
                }
                position += 2
                var value = String.UnicodeScalarView()
                while true {
                    guard position < scalars.count else { throw ParseError(line: line, reason: "unterminated label value") }
                    let scalar = scalars[position]
                    position += 1
                    if scalar == "\"" { break }
                    guard scalar != "\n" else { throw ParseError(line: line, reason: "raw line feed in label value") }
                    if scalar == "\\" {
                        guard position < scalars.count else { throw ParseError(line: line, reason: "dangling backslash") }
                        switch scalars[position] {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw ParseError(line: line, reason: "bad escape in label value")
                        }
                        position += 1
                    } else {
                        value.append(scalar)
                    }
                }
                labels.append((labelName, String(value)))
                if position < scalars.count, scalars[position] == "," { position += 1 }
            }
            guard position < scalars.count else { throw ParseError(line: line, reason: "unterminated label set") }
            position += 1
        }
        guard position < scalars.count, scalars[position] == " " else {
            throw ParseError(line: line, reason: "expected one space before the value")
        }
        position += 1
        let rest = String(String.UnicodeScalarView(scalars[position...]))
        let fields = rest.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 || (fields.count == 2 && Int64(fields[1]) != nil) else {
            throw ParseError(line: line, reason: "bad value or timestamp: \(rest)")
        }
        let valueText = String(fields[0])
        let value: Double
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(valueText), valueText.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true else {
                throw ParseError(line: line, reason: "bad value \(valueText)")
            }
            value = parsed
        }
        return Sample(name: name, labels: labels, value: value)
    }
}

/// Checks every sample has a TYPE and HELP and every histogram is well formed.
func assertWellFormed(_ exposition: PrometheusExposition, file: StaticString = #filePath, line: UInt = #line) {
    for sample in exposition.samples {
        let family = exposition.family(of: sample.name)
        XCTAssertNotNil(exposition.types[family], "no TYPE for \(sample.name)", file: file, line: line)
        XCTAssertNotNil(exposition.help[family], "no HELP for \(sample.name)", file: file, line: line)
    }
    for (family, type) in exposition.types where type == "histogram" {
        var buckets: [String: [(le: Double, count: Double)]] = [:]
        var counts: [String: Double] = [:]
        var sums: [String: Double] = [:]
        for sample in exposition.samples {
            let key = sample.labels.filter { $0.0 != "le" }.map { "\($0.0)=\($0.1)" }.joined(separator: "\u{1}")
            if sample.name == family + "_bucket" {
                guard let leText = sample.label("le"), let le = leText == "+Inf" ? Double.infinity : Double(leText) else {
                    XCTFail("bucket without a numeric le", file: file, line: line)
                    continue
                }
                buckets[key, default: []].append((le, sample.value))
            } else if sample.name == family + "_count" {
                counts[key] = sample.value
            } else if sample.name == family + "_sum" {
                sums[key] = sample.value
            }
        }
        XCTAssertEqual(Set(buckets.keys), Set(counts.keys), "every bucket set needs a _count", file: file, line: line)
        XCTAssertEqual(Set(sums.keys), Set(counts.keys), "every bucket set needs a _sum", file: file, line: line)
        for (key, series) in buckets {
            XCTAssertEqual(series.last?.le, .infinity, "buckets of \(key) must end at +Inf", file: file, line: line)
            XCTAssertEqual(series.last?.count, counts[key], "+Inf bucket of \(key) must equal _count", file: file, line: line)
            for (previous, next) in zip(series, series.dropFirst()) {
                XCTAssertLessThan(previous.le, next.le, "le must increase in \(key)", file: file, line: line)
                XCTAssertLessThanOrEqual(previous.count, next.count, "buckets of \(key) must be cumulative", file: file, line: line)
            }
        }
    }
}
