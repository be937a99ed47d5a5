/// The load balancers whose forwarding headers the front believes (`proxy.listen.trustedProxies`).
///
/// Behind a balancer every connection comes from the balancer's address. When the peer is one
/// of these networks, the client's address is taken from `Forwarded` (RFC 7239) or, without it,
/// `X-Forwarded-For`: the right-most address that is not itself a trusted proxy (the left-most
/// when all are), so a client cannot choose its own address by sending the header itself.
/// From any other peer both headers are ignored.
public struct TrustedProxies: Sendable {
    private struct Network: Sendable {
        let prefix: [UInt8]
        let bits: Int

        func contains(_ address: IPAddressBytes) -> Bool {
            guard address.bytes.count == prefix.count else { return false }
            var remaining = bits
            for (index, byte) in prefix.enumerated() where remaining > 0 {
                let take = min(8, remaining)
                let mask: UInt8 = take == 8 ? 0xFF : ~(0xFF >> UInt8(take))
                if address.bytes[index] & mask != byte & mask { return false }
                remaining -= take
            }
            return true
        }
    }

    private let networks: [Network]

    /// No proxy is trusted: the peer's address is the client's.
    public static let none = TrustedProxies(networks: [])

    private init(networks: [Network]) {
        self.networks = networks
    }

    /// Parses CIDRs such as `10.0.0.0/8`, `192.0.2.7` (one address), `fd00::/8`.
    public init(cidrs: [String]) throws(TrustedProxiesError) {
        var networks: [Network] = []
        for cidr in cidrs {
            let parts = cidr.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = IPAddressBytes(parsing: parts[0]), !parts[0].hasPrefix("[") else {
                throw TrustedProxiesError(cidr: cidr, reason: "not an IPv4 or IPv6 address")
            }
            let maximum = address.bytes.count * 8
            var bits = maximum
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...maximum).contains(value) else {
                    throw TrustedProxiesError(cidr: cidr, reason: "the prefix length must be 0 to \(maximum)")
                }
                bits = value
            }
            networks.append(Network(prefix: address.bytes, bits: bits))
        }
        self.networks = networks
    }

    /// Whether no network is trusted.
    public var isEmpty: Bool { networks.isEmpty }

    /// Whether `address` (an IP, with or without a port) is in a trusted network.
    public func contains(_ address: String) -> Bool {
        guard let parsed = IPAddressBytes(parsing: Substring(address)) else { return false }
        return networks.contains { $0.contains(parsed) }
    }

    /// The client's address for a request that came from `peer` with these headers: the peer
    /// itself unless it is trusted and a header names the client (then without a port).
    public func clientAddress(peer: String?, forwarded: String?, forwardedFor: String?) -> String? {
        guard let peer, !networks.isEmpty, contains(peer) else { return peer }
        let chain: [Substring]
        if let forwarded, !forwarded.isEmpty {
            chain = Self.forElements(forwarded)
        } else if let forwardedFor, !forwardedFor.isEmpty {
            chain = forwardedFor.split(separator: ",").map { $0.trimmingSpaces() }
        } else {
            return peer
        }
        var chosen: Substring?
        for hop in chain.reversed() {
            guard IPAddressBytes(parsing: hop) != nil else { break }  // garbage ends what can be believed
            chosen = hop
            if !contains(String(hop)) { break }
        }
        guard let chosen else { return peer }
        return String(Self.host(of: chosen))
    }

    /// `[2001:db8::1]:4711` -> `2001:db8::1`, `192.0.2.1:80` -> `192.0.2.1`: the address a
    /// per-address limit is kept by.
    static func host(of hop: Substring) -> Substring {
        if hop.first == "[", let close = hop.firstIndex(of: "]") { return hop[hop.index(after: hop.startIndex)..<close] }
        if hop.filter({ $0 == ":" }).count == 1, let colon = hop.firstIndex(of: ":") { return hop[..<colon] }
        return hop
    }

    /// The `for=` values of a `Forwarded` header, in order, unquoted.
    private static func forElements(_ header: String) -> [Substring] {
        var out: [Substring] = []
        for element in header.split(separator: ",") {
            for pair in element.split(separator: ";") {
                let trimmed = pair.trimmingSpaces()
                guard trimmed.lowercased().hasPrefix("for=") else { continue }
                var value = trimmed.dropFirst(4)
                if value.first == "\"", value.last == "\"", value.count >= 2 { value = value.dropFirst().dropLast() }
                out.append(value)
            }
        }
        return out
    }
}

/// A `trustedProxies` entry that is not a network.
public struct TrustedProxiesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The entry as written.
    public let cidr: String
    /// What is wrong with it.
    public let reason: String

    /// Says which entry and how to write it.
    public var description: String {
        "trustedProxies entry '\(cidr)': \(reason); write an address or a network such as 10.0.0.0/8 or fd00::/8"
    }
}
