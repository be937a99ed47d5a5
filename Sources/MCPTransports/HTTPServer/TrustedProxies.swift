/// The load balancers whose forwarding headers the front believes (`proxy.listen.trustedProxies`).
///
/// Behind a balancer every connection comes from the balancer's address. When the peer is one
/// of these networks, the client's address is taken from `X-Forwarded-For` or `Forwarded`
/// (RFC 7239, `for=`): walking the chain from the right, trusted hops are skipped and the first
/// untrusted one is the client (the left-most when all are trusted), so a client cannot choose its
/// own address by sending the header itself: whatever it writes stays left of the address the
/// balancer appended. A hop that is no address (`unknown`, an obfuscated `_name`) ends the walk.
///
/// A balancer writes one of the two headers and passes the other through from the client, so
/// when a request carries both they must name the same client, or neither is believed. All lines
/// of a header count, in order. From any other peer both headers are ignored. The address
/// returned is canonical text without a port (`2001:db8::1`, `192.0.2.1`), so per-address limits
/// key on the host.
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
            guard let address = IPAddressBytes(parsing: parts[0]), !parts[0].hasPrefix("["),
                  parts[0].filter({ $0 == ":" }).count != 1 else {
                throw TrustedProxiesError(cidr: cidr, reason: "not an IPv4 or IPv6 address")
            }
            // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) is the IPv4 network it maps.
            let mapped = parts[0].contains(":") && address.bytes.count == 4
            let written = mapped ? 128 : address.bytes.count * 8
            var bits = address.bytes.count * 8
            if parts.count == 2 {
                guard let value = Int(parts[1]), (mapped ? 96 : 0)...written ~= value else {
                    throw TrustedProxiesError(cidr: cidr, reason: "the prefix length must be \(mapped ? 96 : 0) to \(written)")
                }
                bits = mapped ? value - 96 : value
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
        return contains(parsed)
    }

    private func contains(_ address: IPAddressBytes) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The client's address for a request that came from `peer` with these headers: the peer
    /// itself unless it is trusted and a header names the client (then canonical, without a port).
    public func clientAddress(peer: String?, forwarded: String?, forwardedFor: String?) -> String? {
        guard let peer else { return nil }
        return forwardedClient(peer: peer, forwarded: forwarded, forwardedFor: forwardedFor) ?? peer
    }

    /// The client the headers name when `peer` is a trusted proxy, as canonical text without a
    /// port; nil when the peer's own address stands (the peer is not trusted, no header names a
    /// client, or the two headers disagree).
    public func forwardedClient(peer: String, forwarded: String?, forwardedFor: String?) -> String? {
        guard !networks.isEmpty, let address = IPAddressBytes(parsing: Substring(peer)), contains(address) else { return nil }
        let fromForwarded = forwarded.map { walk(ForwardedHops(header: Substring($0), forwardedSyntax: true)) }
        let fromForwardedFor = forwardedFor.map { walk(ForwardedHops(header: Substring($0), forwardedSyntax: false)) }
        switch (fromForwarded, fromForwardedFor) {
        case (let one?, nil), (nil, let one?):
            return one?.text
        case (let one?, let other?):
            guard let one, one == other else { return nil }  // one of them came from the client
            return one.text
        case (nil, nil):
            return nil
        }
    }

    /// The right-most hop that is not a trusted proxy (or the last address before a hop that is
    /// no address, or the left-most when all are trusted).
    private func walk(_ hops: ForwardedHops) -> IPAddressBytes? {
        var chosen: IPAddressBytes?
        var hops = hops
        while let hop = hops.next() {
            guard let address = IPAddressBytes(parsing: hop) else { break }  // garbage ends what can be believed
            chosen = address
            if !contains(address) { break }
        }
        return chosen
    }
}

/// The hops of an `X-Forwarded-For` or `Forwarded` header, right to left, without splitting the
/// whole header first (a long forged chain costs only the hops walked).
struct ForwardedHops {
    private var rest: Substring
    private let forwardedSyntax: Bool
    private var done = false

    init(header: Substring, forwardedSyntax: Bool) {
        self.rest = header
        self.forwardedSyntax = forwardedSyntax
    }

    /// The next hop to the left: an address as written (maybe with a port or brackets), `""` for
    /// an element without one; nil when the header is used up.
    mutating func next() -> Substring? {
        guard !done else { return nil }
        let element: Substring
        if let comma = rest.lastIndex(of: ",") {
            element = rest[rest.index(after: comma)...]
            rest = rest[..<comma]
        } else {
            element = rest
            done = true
        }
        let trimmed = element.trimmingSpaces()
        return forwardedSyntax ? Self.forValue(trimmed) : trimmed
    }

    /// The `for=` value of one `Forwarded` element, unquoted; `""` when it has none.
    private static func forValue(_ element: Substring) -> Substring {
        for pair in element.split(separator: ";") {
            let trimmed = pair.trimmingSpaces()
            guard trimmed.count > 4, trimmed.prefix(4).lowercased() == "for=" else { continue }
            var value = trimmed.dropFirst(4)
            if value.first == "\"", value.last == "\"", value.count >= 2 { value = value.dropFirst().dropLast() }
            return value
        }
        return ""
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
