import JSONRPC
import NIOCore
import Testing
@testable import MCPCluster

struct SealedSessionContinuityTests {
    static let alice = Principal(subject: "alice", issuer: "https://login", roles: ["dev"], method: .jwt)
    static let bob = Principal(subject: "bob", issuer: "https://login", method: .jwt)

    static func initialize(_ params: String) throws -> JSONRPCMessage {
        let frame = try JSONRPCScanner().scan(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":"# + params + "}"))
        guard case .single(let message) = frame else { throw CancellationError() }
        return message
    }

    static func continuity(now: UInt64 = 1_800_000_000, revocations: LocalRevocationList = LocalRevocationList()) throws -> SealedSessionContinuity {
        let clock = now
        return SealedSessionContinuity(
            sealer: try SessionSealer(rawKeys: [[UInt8](repeating: 7, count: 32)]), revocations: revocations,
            lifetime: .seconds(3600), now: { clock })
    }

    @Test func anotherReplicaRestoresTheInitializeParams() throws {
        let params = #"{"protocolVersion":"2025-06-18","capabilities":{"sampling":{},"roots":{"listChanged":true}},"clientInfo":{"name":"c","version":"1"}}"#
        let opener = try Self.continuity()
        let id = try #require(opener.newSessionID(path: "/mcp", principal: Self.alice, initialize: try Self.initialize(params)))
        // A replica with the same key and nothing else in common.
        let other = try Self.continuity(now: 1_800_000_100)
        let restored = try #require(other.restore(id: id, path: "/mcp", principal: Self.alice))
        #expect(String(decoding: restored.initializeParams, as: UTF8.self) == params)
        #expect((restored.state as? SealedSession)?.subject == "alice")
    }

    @Test func anIDIsBoundToItsPrincipalAndEndpoint() throws {
        let continuity = try Self.continuity()
        let id = try #require(continuity.newSessionID(path: "/mcp/support", principal: Self.alice, initialize: try Self.initialize(#"{"protocolVersion":"2025-11-25","capabilities":{}}"#)))
        #expect(continuity.restore(id: id, path: "/mcp/support", principal: Self.alice) != nil)
        #expect(continuity.restore(id: id, path: "/mcp/support", principal: Self.bob) == nil, "a stolen id is useless to another principal")
        #expect(continuity.restore(id: id, path: "/mcp", principal: Self.alice) == nil, "an id opens only its own endpoint")
    }

    @Test func endedSessionsAreRevokedAndExpiredOnesRefused() throws {
        let list = LocalRevocationList(now: { 1_800_000_000 })
        let continuity = try Self.continuity(revocations: list)
        let id = try #require(continuity.newSessionID(path: "/mcp", principal: Self.alice, initialize: try Self.initialize(#"{"protocolVersion":"2025-11-25","capabilities":{}}"#)))
        continuity.ended(id: id)
        #expect(continuity.restore(id: id, path: "/mcp", principal: Self.alice) == nil)
        #expect(list.count == 1)
        let fresh = try #require(continuity.newSessionID(path: "/mcp", principal: Self.alice, initialize: try Self.initialize(#"{"protocolVersion":"2025-11-25","capabilities":{}}"#)))
        #expect(try Self.continuity(now: 1_800_003_599).restore(id: fresh, path: "/mcp", principal: Self.alice) != nil)
        #expect(try Self.continuity(now: 1_800_003_600).restore(id: fresh, path: "/mcp", principal: Self.alice) == nil, "expired after its lifetime")
    }
}
