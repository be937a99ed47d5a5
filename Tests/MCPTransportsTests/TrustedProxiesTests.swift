import Testing
@testable import MCPTransports

struct TrustedProxiesTests {
    @Test(arguments: [
        ("192.0.2.1", [192, 0, 2, 1]),
        ("192.0.2.1:8080", [192, 0, 2, 1]),
        ("::ffff:192.0.2.1", [192, 0, 2, 1]),
        ("[::1]:443", [UInt8](repeating: 0, count: 15) + [1]),
        ("2001:db8::8:1", [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 8) + [0, 8, 0, 1]),
    ] as [(String, [UInt8])])
    func addressesParse(text: String, bytes: [UInt8]) {
        #expect(IPAddressBytes(parsing: Substring(text))?.bytes == bytes)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.256", "1::2::3", "abc", "1.2.3.4.5", "12345::", "[::1"])
    func garbageIsNotAnAddress(text: String) {
        #expect(IPAddressBytes(parsing: Substring(text)) == nil)
    }

    @Test func networksMatchByPrefix() throws {
        let trusted = try TrustedProxies(cidrs: ["10.0.0.0/8", "192.0.2.7", "fd00::/8", "172.16.0.0/12"])
        #expect(trusted.contains("10.200.3.4"))
        #expect(trusted.contains("192.0.2.7:5000"))
        #expect(!trusted.contains("192.0.2.8"))
        #expect(trusted.contains("[fd12::1]:80"))
        #expect(trusted.contains("172.31.255.255"))
        #expect(!trusted.contains("172.32.0.1"))
        #expect(!trusted.contains("11.0.0.1"))
        #expect(!trusted.contains("fe80::1"))
    }

    @Test(arguments: ["10.0.0.0/33", "fd00::/129", "banana", "10.0.0.0/x", "[::1]/128", "10.0.0.1:80", "::ffff:10.0.0.0/95"])
    func badEntriesAreRefusedByName(cidr: String) {
        #expect(throws: TrustedProxiesError.self) { try TrustedProxies(cidrs: [cidr]) }
    }

    @Test func theBalancersHeaderNamesTheClient() throws {
        let trusted = try TrustedProxies(cidrs: ["10.0.0.0/8"])
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "203.0.113.9:41000") == "203.0.113.9")
        // A client that sends its own X-Forwarded-For cannot choose its address: the right-most
        // untrusted hop is the one the balancer saw.
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "1.1.1.1, 203.0.113.9") == "203.0.113.9")
        // Hops through several trusted proxies are skipped.
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "203.0.113.9, 10.1.1.1") == "203.0.113.9")
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: #"for=192.0.2.60;proto=http, for="[2001:db8::1]:4711""#, forwardedFor: nil) == "2001:db8::1")
        // Garbage in the header: the peer stays the client.
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "unknown") == "10.0.0.2:5123")
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: nil) == "10.0.0.2:5123")
    }

    @Test func anyOtherPeersHeadersAreIgnored() throws {
        let trusted = try TrustedProxies(cidrs: ["10.0.0.0/8"])
        #expect(trusted.clientAddress(peer: "198.51.100.4:999", forwarded: nil, forwardedFor: "10.0.0.9") == "198.51.100.4:999")
        #expect(TrustedProxies.none.clientAddress(peer: "10.0.0.2:1", forwarded: "for=1.2.3.4", forwardedFor: "1.2.3.4") == "10.0.0.2:1")
    }

    // MARK: Resolution rules

    @Test func aSpoofedHeaderFromAnUntrustedPeerIsIgnored() throws {
        let trusted = try TrustedProxies(cidrs: ["127.0.0.1/32", "10.0.0.0/8"])
        // A client reaching the front directly cannot name itself, whatever the header says.
        #expect(trusted.forwardedClient(peer: "198.51.100.4:999", forwarded: nil, forwardedFor: "203.0.113.77") == nil)
        #expect(trusted.forwardedClient(peer: "198.51.100.4:999", forwarded: "for=203.0.113.77", forwardedFor: nil) == nil)
        #expect(trusted.forwardedClient(peer: "[2001:db8::9]:999", forwarded: nil, forwardedFor: "127.0.0.1") == nil)
    }

    @Test func aChainThroughTwoTrustedProxiesNamesTheHopBeforeThem() throws {
        // client 203.0.113.9 -> edge balancer 10.1.1.1 -> inner balancer 10.0.0.2 -> front.
        // The client forged "6.6.6.6" itself: it is left of the address the edge appended.
        let trusted = try TrustedProxies(cidrs: ["10.0.0.0/8"])
        #expect(trusted.forwardedClient(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "6.6.6.6, 203.0.113.9, 10.1.1.1") == "203.0.113.9")
        #expect(trusted.forwardedClient(
            peer: "10.0.0.2:5123", forwarded: #"for=6.6.6.6, for=203.0.113.9;proto=https, for="10.1.1.1:3000""#, forwardedFor: nil) == "203.0.113.9")
        // All hops trusted: the left-most (the first balancer's own client).
        #expect(trusted.forwardedClient(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "10.9.9.9, 10.1.1.1") == "10.9.9.9")
        // A hop that is no address ends the walk: the last address believed stands.
        #expect(trusted.forwardedClient(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "203.0.113.9, unknown, 10.1.1.1") == "10.1.1.1")
        #expect(trusted.forwardedClient(peer: "10.0.0.2:5123", forwarded: "for=_hidden", forwardedFor: nil) == nil)
        #expect(trusted.forwardedClient(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "203.0.113.9,") == nil, "an empty last hop")
        #expect(trusted.forwardedClient(peer: "10.0.0.2:5123", forwarded: "proto=https;by=10.0.0.2", forwardedFor: nil) == nil, "an element without for=")
    }

    @Test func forwardedNamesAnIPv6ClientQuotedWithBracketsAndPort() throws {
        let trusted = try TrustedProxies(cidrs: ["::1/128", "fd00::/8"])
        #expect(trusted.forwardedClient(peer: "[::1]:8443", forwarded: #"for="[2001:DB8:cafe:0:0:0:0:17]:4711""#, forwardedFor: nil) == "2001:db8:cafe::17")
        #expect(trusted.forwardedClient(peer: "[::1]:8443", forwarded: #"For="[2001:db8::17]";proto=https;by="[fd00::1]""#, forwardedFor: nil) == "2001:db8::17")
        // The client's own Forwarded element left of the balancer's is not believed.
        #expect(trusted.forwardedClient(peer: "::1", forwarded: #"for="[2001:db8::66]", for="[2001:db8::17]:1", for="[fd00::5]""#, forwardedFor: nil) == "2001:db8::17")
        #expect(trusted.forwardedClient(peer: "::1", forwarded: nil, forwardedFor: "::ffff:192.0.2.1") == "192.0.2.1", "a mapped address reads as IPv4")
    }

    @Test func bothHeadersMustNameTheSameClient() throws {
        // A balancer writes one header and passes the other through from the client: when they
        // disagree, neither is believed (the peer's address stands).
        let trusted = try TrustedProxies(cidrs: ["10.0.0.0/8"])
        #expect(trusted.forwardedClient(peer: "10.0.0.2", forwarded: "for=1.2.3.4", forwardedFor: "203.0.113.9") == nil)
        #expect(trusted.clientAddress(peer: "10.0.0.2", forwarded: "for=1.2.3.4", forwardedFor: "203.0.113.9") == "10.0.0.2")
        #expect(trusted.forwardedClient(peer: "10.0.0.2", forwarded: #"for="203.0.113.9:5000""#, forwardedFor: "1.1.1.1, 203.0.113.9") == "203.0.113.9")
    }

    @Test func mappedNetworksAreTheirIPv4Networks() throws {
        let trusted = try TrustedProxies(cidrs: ["::ffff:10.0.0.0/104"])
        #expect(trusted.contains("10.200.1.1"))
        #expect(!trusted.contains("11.0.0.1"))
    }

    @Test(arguments: [
        ("2001:db8:0:0:0:0:0:1", "2001:db8::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("0:0:0:0:0:0:0:0", "::"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("fe80::", "fe80::"), ("::1", "::1"), ("192.0.2.1", "192.0.2.1"),
    ])
    func addressesPrintCanonically(text: String, canonical: String) {
        #expect(IPAddressBytes(parsing: Substring(text))?.text == canonical)
    }
}
