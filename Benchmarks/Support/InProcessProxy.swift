import JSONRPC
import Logging
import MCPProxy
import MCPRouting
import MCPSecurity
import MCPStats
import NIOCore

/// A real `MCPProxy` serving one fake client and one fake upstream in memory. After `start`, each
/// `call()` is a complete `tools/call` round trip through the proxy (client -> proxy -> upstream
/// -> proxy -> client) on the calling thread: scanning, routing, id and token remapping, the
/// session's and upstream's locks, stats, and the writes to both transports.
public final class InProcessProxy: @unchecked Sendable {
    // @unchecked: start, call and stop are called one after another, never concurrently.
    /// The proxy's client.
    public let client = FakeClientTransport()
    /// The proxy's only upstream, `fast`.
    public let upstream = FakeUpstreamTransport()
    /// The proxy under test.
    public let proxy: MCPProxy
    private var serving: Task<Void, Never>?

    /// Why the proxy could not be brought up for a benchmark.
    public struct SetupError: Error, CustomStringConvertible {
        /// What failed.
        public let description: String
    }

    /// The client's principal.
    let principal = Principal(subject: "rita", issuer: "https://idp.test", roles: ["reader"], scopes: ["mcp.tools"], method: .jwt)

    /// A proxy with `routes` in its options; nothing runs until `start`. `secured` adds the
    /// security stages (an authorizer that lets the reader call the sample tool, and rate limits
    /// per principal, principal and tool, and upstream that never refuse).
    public init(routes: RouteTable, secured: Bool = false) throws {
        let upstream = self.upstream
        let logger = Logger(label: "bench-proxy", factory: { _ in SwiftLogNoOpLogHandler() })
        let definitions = [UpstreamDefinition(name: "fast") { upstream }]
        guard secured else {
            proxy = MCPProxy(upstreams: definitions, options: ProxyOptions(routes: routes), logger: logger)
            return
        }
        let authorizer = try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["reader"], tools: .init(allow: [SampleMessages.exposedTool])),
        ], default: .deny)
        let limiter = try TokenBucketRateLimiter(entries: [
            RateLimitEntry(per: .principal, rate: 1e12, burst: 1_000_000_000),
            RateLimitEntry(per: .principalAndTool, rate: 1e12, burst: 1_000_000_000),
            RateLimitEntry(per: .upstream, rate: 1e12, burst: 1_000_000_000),
        ])
        proxy = MCPProxy(upstreams: definitions, options: ProxyOptions(routes: routes), visibility: authorizer, logger: logger) {
            AuthorizationMiddleware<ProxyRequestContext>(authorizer: authorizer)
            RoutedRateLimitMiddleware<ProxyRequestContext>(limiter: limiter)
        }
    }

    /// Starts serving, performs the client handshake and checks that one call goes through.
    public func start() async throws {
        let proxy = self.proxy
        let client = self.client
        let principal = self.principal
        serving = Task { try? await proxy.serve(client, principal: principal) }
        await client.waitUntilStarted()

        let initialize = await client.request(
            JSONRPCEncoder.request(
                idBytes: Array("1".utf8), method: "initialize",
                params: Array(#"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}"#.utf8)),
            id: .number(1))
        guard initialize.envelope.kind == .successResponse else {
            throw SetupError(description: "initialize failed: \(String(buffer: initialize.bytes))")
        }
        client.deliver(JSONRPCEncoder.notification(method: "notifications/initialized", params: nil))
        let list = await client.request(JSONRPCEncoder.request(idBytes: Array("2".utf8), method: "tools/list", params: nil), id: .number(2))
        guard String(buffer: list.bytes).contains("\"\(SampleMessages.exposedTool)\"") else {
            throw SetupError(description: "tools/list does not offer \(SampleMessages.exposedTool): \(String(buffer: list.bytes))")
        }
        upstream.answerCallsInline()

        // The steady state must answer a call synchronously. Right after the handshake the session
        // may still be draining what queued behind `initialize` (SessionHandshake.swift); a call
        // arriving then is answered a moment later, so the check is repeated until it settles.
        for attempt in 1... {
            let before = client.receivedCount
            call()
            if client.receivedCount == before + 1, let answer = client.lastReceived,
               let message = try? JSONRPCScanner().scanMessage(answer),
               message.envelope.kind == .successResponse, message.envelope.id == .string("req-1234") {
                return
            }
            guard attempt < 50 else {
                throw SetupError(description: "a tools/call did not come back synchronously as a result for id req-1234: \(client.lastReceived.map { String(buffer: $0) } ?? "nothing")")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// One `tools/call` round trip.
    @inline(__always)
    public func call() {
        client.deliver(SampleMessages.small)
    }

    /// Disconnects the client and waits until the proxy has stopped.
    public func stop() async {
        client.disconnect()
        await serving?.value
        serving = nil
    }
}
