#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads `proxy.listen.trustedProxies`: the load balancers (addresses or CIDR networks) whose
/// `X-Forwarded-For` / `Forwarded` header names the client. Each entry is checked here, so a typo
/// is reported with its key path when the file loads rather than when the front starts.
enum TrustedProxiesParser {
    static let key = "trustedProxies"

    static func read(_ section: ConfigNode.Mapping, at path: KeyPath, into listen: inout ListenSettings, reader: inout ConfigReader) {
        guard let value = reader.optional(section, key) else { return }
        let here = path.key(key)
        guard case .list(let items) = value.value else {
            reader.problem(here, "expected a list of addresses or networks, found \(value.kindDescription); write for example [\"10.0.0.0/8\", \"127.0.0.1/32\", \"::1/128\"]", line: value.line)
            return
        }
        var networks: [String] = []
        var valid = true
        for (index, item) in items.enumerated() {
            guard let text = reader.string(item, at: here.index(index), expected: "an address or a network such as 10.0.0.0/8") else {
                valid = false
                continue
            }
            switch check(text) {
            case .problem(let message):
                reader.problem(here.index(index), message, line: item.line)
                valid = false
            case .warning(let message):
                reader.warning(here.index(index), message, line: item.line)
                networks.append(text)
            case .fine:
                networks.append(text)
            }
        }
        if valid { listen.trustedProxies = networks }
    }

    enum Verdict: Equatable {
        case fine
        case warning(String)
        case problem(String)
    }

    /// What is wrong with one entry, if anything.
    static func check(_ entry: String) -> Verdict {
        let example = "write an address or a network such as 10.0.0.0/8, 192.0.2.7 or fd00::/8"
        let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let host = String(parts[0])
        if host.hasPrefix("[") {
            return .problem("'\(entry)' is bracketed; write the IPv6 address without brackets, e.g. ::1/128")
        }
        guard let bytes = address(host) else {
            return .problem("'\(entry)' is not an IPv4 or IPv6 address or network (no host names, no ports); \(example)")
        }
        // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) is the IPv4 network it maps.
        let mapped = bytes.count == 16 && bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        let maximum = bytes.count * 8
        var bits = maximum
        if parts.count == 2 {
            let minimum = mapped ? 96 : 0
            guard let value = Int(parts[1]), value >= minimum, value <= maximum else {
                return .problem("'\(entry)': the prefix length after / must be a number from \(minimum) to \(maximum); \(example)")
            }
            bits = value
        }
        if bits == (mapped ? 96 : 0) {
            return .warning("'\(entry)' trusts every peer, so any client can choose its own address with X-Forwarded-For; list only your load balancers' addresses or networks")
        }
        if hostBitsSet(bytes, prefix: bits) {
            return .warning("'\(entry)' has bits set after the /\(bits) prefix; it means the whole network, write it with those bits zero")
        }
        return .fine
    }

    private static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    private static func hostBitsSet(_ bytes: [UInt8], prefix: Int) -> Bool {
        for (index, byte) in bytes.enumerated() {
            let kept = min(max(prefix - index * 8, 0), 8)
            let mask: UInt8 = kept == 8 ? 0xFF : ~(0xFF >> UInt8(kept))
            if byte & ~mask != 0 { return true }
        }
        return false
    }
}
