import JSONRPC
import MCPProxy
import MCPTransports
import NIOConcurrencyHelpers
import XCTest

/// Per-user credentials in the pool: an upstream with ``UpstreamDefinition/makePrincipalTransport``
/// gets a transport per client session that reads that session's principal, so an upstream
/// session never serves two principals.
final class PrincipalTransportTests: XCTestCase {
    func testEachSessionsUpstreamTransportReadsThatSessionsPrincipal() async throws {
        let tickets = FakeUpstream("tickets")
        tickets.setTools(["whoami"])
        let sources = NIOLockedValueBox<[@Sendable () -> Principal?]>([])
        let make: ProxyHarness.ProxyFactory = { definitions, options, logger in
            var definitions = definitions
            let plain = definitions[0].makeTransport
            definitions[0].makePrincipalTransport = { principal in
                sources.withLockedValue { $0.append(principal) }
                return plain()
            }
            return MCPProxy(upstreams: definitions, options: options, logger: logger)
        }
        let alice = Principal(subject: "alice", issuer: "https://login", method: .jwt)
        let bob = Principal(subject: "bob", issuer: "https://login", method: .jwt)
        try await withProxy([tickets], principal: alice, make: make) { first in
            try await first.initialize()
            let second = try await first.anotherClient(principal: bob)
            try await second.initialize()
            XCTAssertEqual(tickets.transportsMade, 2, "one upstream session per client session")
            let subjects = sources.withLockedValue { $0 }.map { $0()?.subject }
            XCTAssertEqual(subjects.sorted { ($0 ?? "") < ($1 ?? "") }, ["alice", "bob"])
            let tools = try await first.listAll("tools/list", key: "tools")
            XCTAssertEqual(tools, ["tickets__whoami"])
            let stopped = await second.stop()
            XCTAssertTrue(stopped)
            try await eventually("bob's session to be gone from his transport's principal source") {
                sources.withLockedValue { $0 }.contains { $0() == nil }
            }
            XCTAssertEqual(sources.withLockedValue { $0 }.compactMap { $0()?.subject }, ["alice"])
        }
    }

    func testWithoutAPrincipalFactoryTheTransportIsTheDefinitions() async throws {
        let plain = FakeUpstream("plain")
        plain.setTools(["echo"])
        try await withProxy([plain], principal: Principal(subject: "alice", method: .jwt)) { harness in
            try await harness.initialize()
            XCTAssertEqual(plain.transportsMade, 1)
            let tools = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(tools, ["plain__echo"])
        }
    }
}
