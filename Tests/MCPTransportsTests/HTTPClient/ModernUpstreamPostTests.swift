import JSONRPC
import Logging
@testable import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

/// The Streamable HTTP client toward a 2026-07-28 upstream, over a real socket: every POST of a
/// modern request carries the routing headers read from its body (and `Mcp-Param-*` for the
/// arguments that the upstream's last `tools/list` tagged), no session header; a 4xx whose body
/// is a JSON-RPC error is that request's answer. Handshake-era requests are unchanged.
struct ModernUpstreamPostTests {
    static let envelope = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#
    static let toolsList = #"{"tools":[{"name":"where","inputSchema":{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"},"query":{"type":"string"}}}},{"name":"broken","inputSchema":{"type":"object","properties":{"n":{"type":"number","x-mcp-header":"N"}}}}],"ttlMs":0,"cacheScope":"private","resultType":"complete"}"#
    static let refusal = #"{"jsonrpc":"2.0","id":null,"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2030-01-01"],"requested":"2026-07-28"}}}"#

    /// A scripted upstream: `tools/list` answers the list above, `refuse` a 400 with the -32022
    /// body, `plain` a 400 in text, `hang` an event stream that never ends, anything else an
    /// empty result; every request is kept.
    final class Upstream: Sendable {
        let http: StubHTTPServer
        private let received: NIOLockedValueBox<[StubHTTPRequest]>
        /// The open streams of `hang` requests.
        let hanging: NIOLockedValueBox<[StubHTTPResponder]>

        init() async throws {
            let received = NIOLockedValueBox<[StubHTTPRequest]>([])
            let hanging = NIOLockedValueBox<[StubHTTPResponder]>([])
            self.received = received
            self.hanging = hanging
            http = try await StubHTTPServer.start { request, responder in
                received.withLockedValue { $0.append(request) }
                guard let message = try? JSONRPCScanner().scanMessage(request.body), let idBytes = message.idBytes else {
                    responder.respond(.accepted)
                    return
                }
                let id = String(decoding: idBytes, as: UTF8.self)
                let json = [("Content-Type", "application/json")]
                switch message.envelope.method?.name {
                case "tools/list":
                    responder.respond(.ok, json, body: #"{"jsonrpc":"2.0","id":\#(id),"result":\#(ModernUpstreamPostTests.toolsList)}"#)
                case "refuse":
                    responder.respond(.badRequest, json, body: ModernUpstreamPostTests.refusal)
                case "plain":
                    responder.respond(.badRequest, [("Content-Type", "text/plain")], body: "nope")
                case "hang":
                    responder.startEventStream()
                    responder.write(": open\n\n")
                    hanging.withLockedValue { $0.append(responder) }
                default:
                    responder.respond(.ok, json, body: #"{"jsonrpc":"2.0","id":\#(id),"result":{"resultType":"complete"}}"#)
                }
            }
        }

        /// The requests received with JSON-RPC method `method`.
        func requests(_ method: String) -> [StubHTTPRequest] {
            received.withLockedValue { $0 }.filter { (try? JSONRPCScanner().scanMessage($0.body))?.envelope.method?.name == method }
        }
    }

    static func configuration(_ url: String) -> RemoteUpstreamConfiguration {
        RemoteUpstreamConfiguration(
            url: url, kind: .streamableHTTP, headers: [:], requestTimeout: .seconds(20), connectTimeout: .seconds(2),
            maxMessageBytes: 1 << 20)
    }

    static func transport(_ url: String) -> StreamableHTTPClientTransport {
        transport(configuration(url))
    }

    static func transport(_ configuration: RemoteUpstreamConfiguration) -> StreamableHTTPClientTransport {
        StreamableHTTPClientTransport(name: "modern", configuration: configuration, logger: Logger(label: "test"))
    }

    static func request(_ id: Int, _ method: String, _ params: String = "", modern: Bool = true) -> ByteBuffer {
        let members = [params, modern ? envelope : ""].filter { !$0.isEmpty }.joined(separator: ",")
        return ByteBuffer(string: #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{\#(members)}}"#)
    }

    /// The delivered message with id `id`.
    static func answer(_ sink: FrameCollector, id: Int) -> String? {
        sink.messages.first { $0.contains(#""id":\#(id),"#) }
    }

    @Test func modernPostsCarryTheRoutingHeadersOfTheirBodies() async throws {
        let upstream = try await Upstream()
        let transport = Self.transport(upstream.http.url("/mcp"))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(Self.request(1, "tools/list"))
        #expect(await sink.wait { $0.messages.count == 1 })
        // The tool with an invalid tag is left out of the list (the spec: an HTTP client MUST).
        #expect(Self.answer(sink, id: 1) == #"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"where","inputSchema":{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"},"query":{"type":"string"}}}}],"ttlMs":0,"cacheScope":"private","resultType":"complete"}}"#)
        transport.send(Self.request(2, "tools/call", #""name":"where","arguments":{"region":"eu west","query":"q"}"#))
        transport.send(Self.request(3, "tools/call", #""name":"broken","arguments":{"n":2}"#))
        transport.send(Self.request(4, "resources/read", #""uri":"file:///ä""#))
        #expect(await sink.wait { $0.messages.count == 4 })

        let list = try #require(upstream.requests("tools/list").first)
        #expect(list.header("mcp-protocol-version") == "2026-07-28")
        #expect(list.header("mcp-method") == "tools/list")
        #expect(list.header("mcp-name") == nil)
        #expect(list.header("mcp-session-id") == nil)
        let calls = upstream.requests("tools/call")
        let call = try #require(calls.first { $0.bodyText.contains("\"where\"") })
        #expect(call.header("mcp-method") == "tools/call")
        #expect(call.header("mcp-name") == "where")
        #expect(call.header("mcp-param-region") == "eu west")
        #expect(call.headers["mcp-param-query"].isEmpty)
        // A tool whose tag breaks the rules mirrors nothing (if it is called all the same).
        let broken = try #require(calls.first { $0.bodyText.contains("\"broken\"") })
        #expect(broken.header("mcp-name") == "broken")
        #expect(broken.headers.filter { $0.name.lowercased().hasPrefix("mcp-param-") }.isEmpty)
        let read = try #require(upstream.requests("resources/read").first)
        #expect(read.header("mcp-name") == "=?base64?ZmlsZTovLy/DpA==?=")
        await transport.close()
        await upstream.http.stop()
    }

    @Test func aModernErrorWithA4xxIsTheAnswerAndOtherFailuresStayTransportErrors() async throws {
        let upstream = try await Upstream()
        let transport = Self.transport(upstream.http.url("/mcp"))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(Self.request(1, "refuse"))
        transport.send(Self.request(2, "plain"))
        transport.send(Self.request(3, "refuse", modern: false))
        #expect(await sink.wait { $0.messages.count == 3 })

        // The upstream's own error, under the request's id (it answered id null).
        #expect(Self.answer(sink, id: 1) == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2030-01-01"],"requested":"2026-07-28"}}}"#)
        // A body that is no JSON-RPC error: the transport's -32000 naming the status.
        let plain = try #require(Self.answer(sink, id: 2))
        #expect(plain.contains("-32000") && plain.contains("HTTP 400") && plain.contains("nope"))
        // A handshake-era request keeps today's behaviour: the status is the failure.
        let old = try #require(Self.answer(sink, id: 3))
        #expect(old.contains("-32000") && old.contains("HTTP 400"))
        // Requests run concurrently, each on its own connection: found by id, not arrival order.
        let handshakeEra = try #require(upstream.requests("refuse").first { $0.bodyText.contains(#""id":3,"#) })
        #expect(handshakeEra.header("mcp-method") == nil)
        let modernEra = try #require(upstream.requests("refuse").first { $0.bodyText.contains(#""id":1,"#) })
        #expect(modernEra.header("mcp-method") == "refuse")
        await transport.close()
        await upstream.http.stop()
    }

    /// Cancelling a 2026-07-28 request closes its POST (the spec's cancellation over HTTP) and
    /// sends no notification; the proxy gets no answer for it. A handshake-era request's
    /// cancellation is POSTed as before.
    @Test func cancellingAModernRequestClosesItsPost() async throws {
        let upstream = try await Upstream()
        let transport = Self.transport(upstream.http.url("/mcp"))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(Self.request(5, "hang"))
        #expect(await pollUntil { upstream.hanging.withLockedValue { $0.count } == 1 })
        transport.send(ByteBuffer(string: #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5,"reason":"gone"}}"#))
        #expect(await pollUntil { upstream.hanging.withLockedValue { $0.allSatisfy { !$0.isConnected } } })

        transport.send(Self.request(6, "hang", modern: false))
        #expect(await pollUntil { upstream.hanging.withLockedValue { $0.count } == 2 })
        transport.send(ByteBuffer(string: #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6}}"#))
        #expect(await pollUntil { upstream.requests("notifications/cancelled").count == 1 })
        let posted = try #require(upstream.requests("notifications/cancelled").first)
        #expect(posted.bodyText.contains(#""requestId":6"#))
        #expect(upstream.hanging.withLockedValue { $0[1].isConnected })
        try await Task.sleep(for: .milliseconds(200))
        #expect(Self.answer(sink, id: 5) == nil)
        await transport.close()
        await upstream.http.stop()
    }

    /// The tags one connection learnt serve every connection of the same configuration (a
    /// pool's sessions): a call on a connection that never listed tools carries them too.
    @Test func connectionsOfOneUpstreamShareTheTags() async throws {
        let upstream = try await Upstream()
        let configuration = Self.configuration(upstream.http.url("/mcp"))
        let lister = Self.transport(configuration)
        let caller = Self.transport(configuration)
        let listed = FrameCollector()
        let called = FrameCollector()
        try await lister.start(sink: listed)
        try await caller.start(sink: called)
        lister.send(Self.request(1, "tools/list"))
        #expect(await listed.wait { $0.messages.count == 1 })
        caller.send(Self.request(2, "tools/call", #""name":"where","arguments":{"region":"eu"}"#))
        #expect(await called.wait { $0.messages.count == 1 })
        #expect(upstream.requests("tools/call").first?.header("mcp-param-region") == "eu")
        // Another upstream's configuration knows nothing of them.
        let other = Self.transport(upstream.http.url("/mcp"))
        let otherSink = FrameCollector()
        try await other.start(sink: otherSink)
        other.send(Self.request(3, "tools/call", #""name":"where","arguments":{"region":"eu"}"#))
        #expect(await otherSink.wait { $0.messages.count == 1 })
        #expect(upstream.requests("tools/call").last?.header("mcp-param-region") == nil)
        for transport in [lister, caller, other] { await transport.close() }
        await upstream.http.stop()
    }
}
