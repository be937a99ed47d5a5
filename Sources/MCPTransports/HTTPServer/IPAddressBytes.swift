/// An IP address as bytes (4 for IPv4, 16 for IPv6), parsed from text without Foundation.
/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) read as their IPv4 address, so one rule
/// covers a dual-stack listener.
struct IPAddressBytes: Sendable, Equatable {
    let bytes: [UInt8]

    /// Parses `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, with an optional `:port` after an IPv4
    /// address or a bracketed IPv6 one; nil when it is not an address.
    init?(parsing text: Substring) {
        var text = text
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if text.filter({ $0 == ":" }).count == 1 {
            text = text[..<(text.firstIndex(of: ":") ?? text.endIndex)]  // IPv4 with a port
        }
        if let v4 = Self.parseIPv4(text) {
            bytes = v4
        } else if let v6 = Self.parseIPv6(text) {
            let mapped = v6[0..<10].allSatisfy { $0 == 0 } && v6[10] == 0xFF && v6[11] == 0xFF
            bytes = mapped ? Array(v6[12...]) : v6
        } else {
            return nil
        }
    }

    /// The canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (lowercase, no leading
    /// zeros, the longest run of two or more zero groups as `::`), without brackets or port.
    var text: String {
        if bytes.count == 4 { return "\(bytes[0]).\(bytes[1]).\(bytes[2]).\(bytes[3])" }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var best = (start: -1, length: 0)
        var run = (start: -1, length: 0)
        for (index, group) in groups.enumerated() {
            if group == 0 {
                run = run.start < 0 ? (index, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        if best.length < 2 { best = (-1, 0) }
        var out = ""
        var index = 0
        while index < 8 {
            if index == best.start {
                out += "::"
                index += best.length
                continue
            }
            if !out.isEmpty && !out.hasSuffix(":") { out += ":" }
            out += String(groups[index], radix: 16)
            index += 1
        }
        return out
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            out.append(value)
        }
        return out
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        var halves: [Substring] = [text]
        let chars = Array(text.utf8)
        if let at = (0..<max(chars.count - 1, 0)).first(where: { chars[$0] == UInt8(ascii: ":") && chars[$0 + 1] == UInt8(ascii: ":") }) {
            let split = text.utf8.index(text.startIndex, offsetBy: at)
            let rest = text.utf8.index(split, offsetBy: 2)
            halves = [text[..<split], text[rest...]]
            guard !halves[1].contains("::") else { return nil }
        }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = parseIPv4(piece) {
                    out += v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
