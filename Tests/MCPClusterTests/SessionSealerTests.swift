import Testing
@testable import MCPCluster

struct SessionSealerTests {
    static let keyA = [UInt8](repeating: 0xA1, count: 32)
    static let keyB = (0..<32).map { UInt8($0) }

    static func state(expiresAt: UInt64 = 2_000_000_000) -> SealedSession {
        SealedSession(
            principalKey: "https://login.example.com|alice", subject: "alice", roles: ["support", "dev"],
            protocolVersion: "2025-11-25", era: .handshake,
            clientCapabilities: Array(#"{"sampling":{},"elicitation":{"form":{}}}"#.utf8),
            clientInfo: Array(#"{"name":"claude","version":"1.0"}"#.utf8),
            endpoint: "/mcp/support",
            upstreamSessions: [.init(upstream: "tickets", sessionID: "4f2a9c")],
            createdAt: 1_800_000_000, expiresAt: expiresAt)
    }

    @Test func roundTripKeepsEveryField() throws {
        let sealer = try SessionSealer(rawKeys: [Self.keyA])
        let original = Self.state()
        let id = try sealer.seal(original)
        #expect(try sealer.unseal(id, now: 1_800_000_100) == original)
        #expect(id.utf8.allSatisfy { (0x21...0x7E).contains($0) }, "Mcp-Session-Id must be visible ASCII")
        #expect(id.count < 400, "a typical session id stays small: \(id.count) characters")
    }

    @Test func identicalStateSealsToDifferentIDs() throws {
        let sealer = try SessionSealer(rawKeys: [Self.keyA])
        var state = Self.state()
        let first = try sealer.seal(state)
        state.nonce = Self.state().nonce
        #expect(try sealer.seal(state) != first)
    }

    @Test(arguments: [0, 1, 5, 17, 40])
    func anyFlippedByteIsRejected(position: Int) throws {
        let sealer = try SessionSealer(rawKeys: [Self.keyA])
        let id = try sealer.seal(Self.state())
        var raw = try #require(Base64URLForTests.decode(id))
        raw[position] ^= 0x01
        let tampered = Base64URLForTests.encode(raw)
        #expect(throws: SessionSealError.self) { try sealer.unseal(tampered, now: 1_800_000_100) }
        if position >= 17 {
            #expect(throws: SessionSealError.tampered) { try sealer.unseal(tampered, now: 1_800_000_100) }
        }
    }

    @Test func aKeyThisReplicaDoesNotHoldIsUnknown() throws {
        let id = try SessionSealer(rawKeys: [Self.keyB]).seal(Self.state())
        #expect(throws: SessionSealError.unknownKey) { try SessionSealer(rawKeys: [Self.keyA]).unseal(id, now: 1_800_000_100) }
    }

    @Test func rotationSealsWithTheFirstAndOpensWithAll() throws {
        let old = try SessionSealer(rawKeys: [Self.keyA])
        let rotated = try SessionSealer(rawKeys: [Self.keyB, Self.keyA])
        let oldID = try old.seal(Self.state())
        #expect(try rotated.unseal(oldID, now: 1_800_000_100).subject == "alice")
        let newID = try rotated.seal(Self.state())
        #expect(throws: SessionSealError.unknownKey) { try old.unseal(newID, now: 1_800_000_100) }
        #expect(try SessionSealer(rawKeys: [Self.keyB]).unseal(newID, now: 1_800_000_100).endpoint == "/mcp/support")
    }

    @Test func expiredIDsAreRejected() throws {
        let sealer = try SessionSealer(rawKeys: [Self.keyA])
        let id = try sealer.seal(Self.state(expiresAt: 1_800_000_600))
        #expect(try sealer.unseal(id, now: 1_800_000_599).subject == "alice")
        #expect(throws: SessionSealError.expired(at: 1_800_000_600)) { try sealer.unseal(id, now: 1_800_000_600) }
    }

    @Test(arguments: ["", "not an id", String(repeating: "A", count: 40), String(repeating: "A", count: 20_000), "AQ=="])
    func garbageIsMalformed(id: String) throws {
        let sealer = try SessionSealer(rawKeys: [Self.keyA])
        #expect(throws: SessionSealError.self) { try sealer.unseal(id, now: 0) }
    }

    @Test func stateLargerThanTheBoundIsRefused() throws {
        let sealer = try SessionSealer(rawKeys: [Self.keyA])
        var state = Self.state()
        state.clientCapabilities = Array(repeating: UInt8(ascii: " "), count: SessionSealer.maxPlaintextBytes)
        #expect(throws: SessionSealError.tooLarge(limit: SessionSealer.maxPlaintextBytes)) { try sealer.seal(state) }
    }

    @Test func keysAreReadFromBase64AndChecked() throws {
        let standard = "oaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaE="  // 32 × 0xA1
        let sealer = try SessionSealer(base64Keys: [standard])
        let id = try SessionSealer(rawKeys: [Self.keyA]).seal(Self.state())
        #expect(try sealer.unseal(id, now: 1_800_000_100).subject == "alice")
        #expect(throws: SessionSealError.invalidKey(index: 1, reason: "it decodes to 3 bytes, not 32")) {
            try SessionSealer(base64Keys: [standard, "AAAA"])
        }
        #expect(throws: SessionSealError.invalidKey(index: 0, reason: "it is not base64")) { try SessionSealer(base64Keys: ["%%%"]) }
        #expect(throws: SessionSealError.noKeys) { try SessionSealer(base64Keys: []) }
    }
}
