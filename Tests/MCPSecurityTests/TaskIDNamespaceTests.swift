import MCPSecurity
import Testing

/// Task ids namespaced per upstream and bound to the principal that got them.
@Suite struct TaskIDNamespaceTests {
    let namespace = TaskIDNamespace(secret: Array(repeating: 7, count: 32))
    let alice = "jwt\u{1F}alice"
    let bob = "jwt\u{1F}bob"

    @Test func roundTrip() throws {
        for (upstream, id) in [("time", "t-1"), ("a.b~c", "with.dots.and/slashes"), ("é", "ü-42"), ("x", ".")] {
            let exposed = namespace.exposed(id, upstream: upstream, principal: alice)
            #expect(exposed.hasPrefix(TaskIDNamespace.prefix))
            #expect(exposed.hasSuffix("." + id))
            let resolved = try #require(namespace.resolve(exposed, principal: alice))
            #expect(resolved.upstream == upstream && resolved.taskID == id)
        }
    }

    @Test func anotherPrincipalCannotUseIt() {
        let exposed = namespace.exposed("t-1", upstream: "time", principal: alice)
        #expect(namespace.resolve(exposed, principal: bob) == nil)
        // Nor can the same id be read under another secret (another process).
        #expect(TaskIDNamespace(secret: Array(repeating: 8, count: 32)).resolve(exposed, principal: alice) == nil)
    }

    @Test func alteredOrMadeUpIdsAreRefused() {
        let exposed = namespace.exposed("t-1", upstream: "time", principal: alice)
        let other = namespace.exposed("t-2", upstream: "time", principal: alice)
        // Another task id under a tag minted for t-1: the tag covers the id.
        #expect(namespace.resolve(String(exposed.dropLast()) + "2", principal: alice) == nil)
        // Another upstream's name under the same tag.
        let parts = exposed.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        #expect(parts.count == 4)
        let renamed = "mcpt1.Z2l0." + parts[2] + "." + parts[3]
        #expect(namespace.resolve(renamed, principal: alice) == nil)
        #expect(other != exposed)
        for junk in ["", "t-1", "mcpt1.", "mcpt1.dGltZQ", "mcpt1.dGltZQ..t-1", "mcpt1.dGltZQ.AAAA.t-1", "mcpt1.!!.AAAA.t-1",
                     "mcpt1.dGltZQ.AAAAAAAAAAAAAAAAAAAAAA.t-1"] {
            #expect(namespace.resolve(junk, principal: alice) == nil, "\(junk)")
        }
    }

    @Test func anEmptyUpstreamIdIsRefused() {
        let exposed = namespace.exposed("", upstream: "time", principal: alice)
        #expect(namespace.resolve(exposed, principal: alice) == nil)
    }
}
