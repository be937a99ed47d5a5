#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MCPConfig

/// Turns an ``AccessLogRecord`` into one line: logfmt (`key=value`, values quoted when they
/// need it) or one JSON object. Fields in a fixed order; absent fields are left out.
public enum AccessLogFormat {
    /// The line for `record`, without a line break.
    public static func line(_ record: AccessLogRecord, format: AccessLogSettings.Format) -> String {
        var fields = Fields(json: format == .json)
        fields.add("time", timestamp(record.time))
        fields.add("principal", record.principal)
        fields.add("session", record.session)
        fields.add("method", record.method)
        fields.add("name", record.name)
        fields.add("upstream", record.upstream)
        if let id = record.id {
            if isJSONToken(id) { fields.addNumber("id", id) } else { fields.add("id", id) }
        }
        fields.add("outcome", record.outcome.label)
        switch record.outcome {
        case .error(let code):
            fields.addNumber("code", String(code))
        case .refused(let reason, let code):
            if let code { fields.addNumber("code", String(code)) }
            fields.add("reason", reason)
        default:
            break
        }
        if let latency = record.latencyNanoseconds { fields.addNumber("latency_ms", milliseconds(latency)) }
        if let bytes = record.bytesIn { fields.addNumber("bytes_in", String(bytes)) }
        if let bytes = record.bytesOut { fields.addNumber("bytes_out", String(bytes)) }
        fields.add("http", record.http)
        if let status = record.status { fields.addNumber("status", String(status)) }
        fields.add("remote", record.remote)
        fields.add("policy", record.policy)
        return fields.finish()
    }

    /// Whether `id` is a JSON number or string token that can stand as it is, both as a JSON
    /// value and as a logfmt value (a JSON string is a quoted logfmt value): an integer, or
    /// quotes around text without control characters or bare quotes.
    static func isJSONToken(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first else { return false }
        if first != UInt8(ascii: "\"") {
            // An integer: an optional minus, then digits.
            let digits = first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
            return !digits.isEmpty && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return false }
        var index = 1
        while index < bytes.count - 1 {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") { return false }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count - 1 else { return false }
                index += 1
            }
            index += 1
        }
        return true
    }

    /// `2026-12-06T06:09:00.345Z`: RFC 3339, UTC, milliseconds.
    static func timestamp(_ nanoseconds: Int64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        let millis = Int((nanoseconds % 1_000_000_000) / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = ""
        text.reserveCapacity(24)
        pad(Int(parts.tm_year) + 1900, 4, into: &text)
        text += "-"
        pad(Int(parts.tm_mon) + 1, 2, into: &text)
        text += "-"
        pad(Int(parts.tm_mday), 2, into: &text)
        text += "T"
        pad(Int(parts.tm_hour), 2, into: &text)
        text += ":"
        pad(Int(parts.tm_min), 2, into: &text)
        text += ":"
        pad(Int(parts.tm_sec), 2, into: &text)
        text += "."
        pad(millis, 3, into: &text)
        text += "Z"
        return text
    }

    /// Milliseconds with three decimals: `12.345`.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1_000
        var text = String(micros / 1_000) + "."
        pad(Int(micros % 1_000), 3, into: &text)
        return text
    }

    private static func pad(_ value: Int, _ width: Int, into text: inout String) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }

    /// Builds one line field by field.
    struct Fields {
        let json: Bool
        private var bytes: [UInt8] = []

        init(json: Bool) {
            self.json = json
            bytes.reserveCapacity(256)
            if json { bytes.append(UInt8(ascii: "{")) }
        }

        /// A text field; nothing when `value` is nil.
        mutating func add(_ key: String, _ value: String?) {
            guard let value else { return }
            separator(key)
            if json {
                Self.jsonString(value, into: &bytes)
            } else {
                Self.logfmtValue(value, into: &bytes)
            }
        }

        /// A field whose value is a number written as is.
        mutating func addNumber(_ key: String, _ value: String) {
            separator(key)
            bytes += value.utf8
        }

        mutating func finish() -> String {
            if json { bytes.append(UInt8(ascii: "}")) }
            return String(decoding: bytes, as: UTF8.self)
        }

        private mutating func separator(_ key: String) {
            if json {
                if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(UInt8(ascii: "\""))
                bytes += key.utf8
                bytes += #"":"#.utf8
            } else {
                if !bytes.isEmpty { bytes.append(UInt8(ascii: " ")) }
                bytes += key.utf8
                bytes.append(UInt8(ascii: "="))
            }
        }

        /// A JSON string: quotes, backslashes and control characters escaped (RFC 8259).
        static func jsonString(_ value: String, into bytes: inout [UInt8]) {
            bytes.append(UInt8(ascii: "\""))
            escape(value, into: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }

        /// A logfmt value: bare when it is non-empty and has no space, `=`, quote, backslash or
        /// control character; else quoted with the JSON escapes.
        static func logfmtValue(_ value: String, into bytes: inout [UInt8]) {
            let bare = !value.isEmpty && value.utf8.allSatisfy { byte in
                byte > 0x20 && byte != 0x7F && byte != UInt8(ascii: "=") && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
            }
            if bare {
                bytes += value.utf8
            } else {
                jsonString(value, into: &bytes)
            }
        }

        private static func escape(_ value: String, into bytes: inout [UInt8]) {
            let hex = Array("0123456789abcdef".utf8)
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0x00..<0x20, 0x7F:
                    bytes += Array(#"\u00"#.utf8)
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                default:
                    bytes.append(byte)
                }
            }
        }
    }
}
