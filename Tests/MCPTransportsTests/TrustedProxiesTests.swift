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

    @Test(arguments: ["10.0.0.0/33", "fd00::/129", "banana", "10.0.0.0/x", "[::1]/128"])
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
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: #"for=192.0.2.60;proto=http, for="[2001:db8::1]:4711""#, forwardedFor: "9.9.9.9") == "2001:db8::1")
        // Garbage in the header: the peer stays the client.
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: "unknown") == "10.0.0.2:5123")
        #expect(trusted.clientAddress(peer: "10.0.0.2:5123", forwarded: nil, forwardedFor: nil) == "10.0.0.2:5123")
    }

    @Test func anyOtherPeersHeadersAreIgnored() throws {
        let trusted = try TrustedProxies(cidrs: ["10.0.0.0/8"])
        #expect(trusted.clientAddress(peer: "198.51.100.4:999", forwarded: nil, forwardedFor: "10.0.0.9") == "198.51.100.4:999")
        #expect(TrustedProxies.none.clientAddress(peer: "10.0.0.2:1", forwarded: "for=1.2.3.4", forwardedFor: "1.2.3.4") == "10.0.0.2:1")
    }
}
