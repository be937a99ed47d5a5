import JSONRPC
import Logging
@testable import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// The lean HTTP/1.1 client that carries a Streamable HTTP upstream's POSTs: keep-alive reuse,
/// a stale connection retried once, redirects left to AsyncHTTPClient.
@Suite struct LeanHTTPPoolTests {
    /// What the stub saw: each POST's connection (the client's port), body and target.
    final class Seen: Sendable {
        let posts = NIOLockedValueBox<[(connection: Int, body: String, uri: String)]>([])
        var connections: Set<Int> { Set(posts.withLockedValue { $0.map(\.connection) }) }
        var count: Int { posts.withLockedValue { $0.count } }

        @discardableResult
        func record(_ request: StubHTTPRequest, _ responder: StubHTTPResponder) -> Int {
            posts.withLockedValue { posts in
                posts.append((responder.channel.remoteAddress?.port ?? -1, request.bodyText, request.uri))
                return posts.count
            }
        }
    }

    /// The proxy sends from an event loop, and the lean client keeps connections per loop: the
    /// tests send from one.
    static let loop = MultiThreadedEventLoopGroup.singleton.next()

    static func send(_ transport: StreamableHTTPClientTransport, _ message: ByteBuffer) async throws {
        try await loop.submit { _ = transport.send(message) }.get()
    }

    /// The id of a JSON-RPC request body, as JSON text.
    static func id(of body: String) -> String {
        guard let start = body.range(of: #""id":"#) else { return "null" }
        return String(body[start.upperBound...].prefix { $0 != "," && $0 != "}" })
    }

    static func answer(_ body: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id(of: body)),"result":{"content":[]}}"#
    }

    static func transport(_ url: String) -> StreamableHTTPClientTransport {
        StreamableHTTPClientTransport(
            name: "lean", configuration: RemoteUpstreamConfiguration(url: url, kind: .streamableHTTP, requestTimeout: .seconds(10), connectTimeout: .seconds(1)),
            logger: Logger(label: "lean-test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func call(_ id: Int) -> ByteBuffer {
        ByteBuffer(string: #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"echo","arguments":{}}}"#)
    }

    @Test func sequentialPostsShareOneKeepAliveConnection() async throws {
        let seen = Seen()
        let server = try await StubHTTPServer.start { request, responder in
            seen.record(request, responder)
            responder.respond(.ok, [("Content-Type", "application/json")], body: Self.answer(request.bodyText))
        }
        let transport = Self.transport(server.url("/mcp"))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        for id in 1...10 {
            try await Self.send(transport, Self.call(id))
            #expect(await sink.wait { $0.messages.count == id })
        }
        #expect(seen.count == 10)
        #expect(seen.connections.count == 1, "10 sequential POSTs, \(seen.connections.count) connections")
        #expect(sink.messages.last == #"{"jsonrpc":"2.0","id":10,"result":{"content":[]}}"#)
        await transport.close()
        await server.stop()
    }

    /// A server that answers `Connection: close` gets a new connection for the next POST, and
    /// no POST fails for it.
    @Test func anAnswerWithConnectionCloseIsNotFollowedOnTheSameConnection() async throws {
        let seen = Seen()
        let server = try await StubHTTPServer.start { request, responder in
            seen.record(request, responder)
            responder.respond(.ok, [("Content-Type", "application/json"), ("Connection", "close")], body: Self.answer(request.bodyText))
        }
        let transport = Self.transport(server.url("/mcp"))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        for id in 1...3 {
            try await Self.send(transport, Self.call(id))
            #expect(await sink.wait { $0.messages.count == id })
        }
        #expect(sink.messages == (1...3).map { #"{"jsonrpc":"2.0","id":\#($0),"result":{"content":[]}}"# })
        #expect(seen.connections.count == 3, "each answer closed its connection")
        await transport.close()
        await server.stop()
    }

    /// The race of every keep-alive client: the server closes an idle connection just as a POST
    /// goes out on it. The POST was not taken, so it goes once more on a fresh connection.
    @Test func aPostOnAReusedConnectionThatTheServerClosesUnansweredGoesOnceMore() async throws {
        let seen = Seen()
        let server = try await StubHTTPServer.start { request, responder in
            let attempt = seen.record(request, responder)
            if attempt == 2 {
                responder.cut()  // the second POST, on the reused connection: closed unanswered
            } else {
                responder.respond(.ok, [("Content-Type", "application/json")], body: Self.answer(request.bodyText))
            }
        }
        let transport = Self.transport(server.url("/mcp"))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        try await Self.send(transport, Self.call(1))
        #expect(await sink.wait { $0.messages.count == 1 })
        try await Self.send(transport, Self.call(2))
        #expect(await sink.wait { $0.messages.count == 2 })
        #expect(sink.messages.last == #"{"jsonrpc":"2.0","id":2,"result":{"content":[]}}"#)
        let posts = seen.posts.withLockedValue { $0 }
        #expect(posts.count == 3)
        #expect(posts.map { Self.id(of: $0.body) } == ["1", "2", "2"])
        #expect(posts[1].connection == posts[0].connection, "the second POST went out on the kept connection")
        #expect(posts[2].connection != posts[1].connection, "its retry on a fresh one")
        await transport.close()
        await server.stop()
    }

    /// On a fresh connection nothing was stale: a POST the server drops is not sent again.
    @Test func aPostOnAFreshConnectionThatTheServerClosesFailsOnce() async throws {
        let seen = Seen()
        let server = try await StubHTTPServer.start { request, responder in
            seen.record(request, responder)
            responder.cut()
        }
        let transport = Self.transport(server.url("/mcp"))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        try await Self.send(transport, Self.call(1))
        #expect(await sink.wait { $0.messages.count == 1 })
        let answer = try #require(sink.messages.first)
        #expect(answer.contains("-32000") && answer.contains(#""id":1"#) && answer.contains("closed the connection"), "\(answer)")
        #expect(seen.count == 1)
        await transport.close()
        await server.stop()
    }

    /// The lean client follows no redirect; the POST goes through AsyncHTTPClient, which does.
    @Test func aRedirectedPostReachesItsTarget() async throws {
        let seen = Seen()
        let holder = NIOLockedValueBox<String>("")
        let server = try await StubHTTPServer.start { request, responder in
            seen.record(request, responder)
            if request.uri == "/old" {
                responder.respond(.temporaryRedirect, [("Location", holder.withLockedValue { $0 })])
            } else {
                responder.respond(.ok, [("Content-Type", "application/json")], body: Self.answer(request.bodyText))
            }
        }
        holder.withLockedValue { $0 = server.url("/new") }
        let transport = Self.transport(server.url("/old"))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        try await Self.send(transport, Self.call(7))
        #expect(await sink.wait { $0.messages.count == 1 })
        #expect(sink.messages.first == #"{"jsonrpc":"2.0","id":7,"result":{"content":[]}}"#)
        let uris = seen.posts.withLockedValue { $0.map(\.uri) }
        #expect(uris == ["/old", "/old", "/new"], "lean POST, then AsyncHTTPClient's POST and its redirect: \(uris)")
        await transport.close()
        await server.stop()
    }
}

/// The pool itself, on one event loop with one connection: POSTs beyond it wait their turn, and
/// one that waits past its deadline ends with a time-out.
@Suite struct LeanHTTPPoolQueueTests {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// A reader needs the transport it routes answers to; this one is never started.
    static let transport = LeanHTTPPoolTests.transport("http://127.0.0.1:9/mcp")

    static func post(_ id: Int, url: RemoteURL, deadline: NIODeadline) -> LeanPost {
        let loop = group.next()
        let body = LeanHTTPPoolTests.call(id)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.hostHeader)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        let reader = PostResponseReader(transport: transport, label: "tools/call", exchange: nil, ticket: SessionTicket(generation: 0), on: loop)
        return LeanPost(head: HTTPRequestHead(version: .http1_1, method: .POST, uri: url.pathAndQuery, headers: headers),
                        body: body, reader: reader, deadline: deadline, on: loop)
    }

    static func outcome(_ post: LeanPost) async throws -> String {
        switch try await post.result.get() {
        case .redirected: return "redirected"
        case .outcome(.finished): return "finished"
        case .outcome(.timedOut): return "timedOut"
        case .outcome(.failed(let reason, _)): return "failed: \(reason)"
        case .outcome(let other): return "\(other)"
        }
    }

    @Test func postsBeyondTheConnectionsWaitAndGoInOrderOnTheFreedOne() async throws {
        let seen = LeanHTTPPoolTests.Seen()
        let release = NIOLockedValueBox<[StubHTTPResponder]>([])
        let server = try await StubHTTPServer.start { request, responder in
            seen.record(request, responder)
            if LeanHTTPPoolTests.id(of: request.bodyText) == "1" {
                release.withLockedValue { $0.append(responder) }  // answered when the test says
            } else {
                responder.respond(.ok, [("Content-Type", "application/json")], body: LeanHTTPPoolTests.answer(request.bodyText))
            }
        }
        let url = try RemoteURL(parsing: server.url("/mcp"))
        let pool = try LeanHTTPPool(url: url, tls: nil, connectTimeout: .seconds(1), maxConnections: 1,
                                    loops: ClientEventLoops(Self.group))
        #expect(pool.maxConnectionsPerLoop == 1)
        let deadline = NIODeadline.now() + .seconds(10)
        let posts = (1...3).map { Self.post($0, url: url, deadline: deadline) }
        for post in posts { pool.send(post) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(seen.count == 1, "the second and third POSTs wait for the one connection")
        release.withLockedValue { $0.first }?.respond(.ok, [("Content-Type", "application/json")], body: LeanHTTPPoolTests.answer(#""id":1,"#))
        for post in posts { #expect(try await Self.outcome(post) == "finished") }
        let order = seen.posts.withLockedValue { $0.map { LeanHTTPPoolTests.id(of: $0.body) } }
        #expect(order == ["1", "2", "3"])
        #expect(seen.connections.count == 1)
        pool.close()
        await server.stop()
    }

    @Test func aPostThatWaitsPastItsDeadlineTimesOutAndTheOthersGoOn() async throws {
        let seen = LeanHTTPPoolTests.Seen()
        let server = try await StubHTTPServer.start { request, responder in
            seen.record(request, responder)
            if LeanHTTPPoolTests.id(of: request.bodyText) == "1" {
                try? await Task.sleep(for: .milliseconds(2500))
            }
            responder.respond(.ok, [("Content-Type", "application/json")], body: LeanHTTPPoolTests.answer(request.bodyText))
        }
        let url = try RemoteURL(parsing: server.url("/mcp"))
        let pool = try LeanHTTPPool(url: url, tls: nil, connectTimeout: .seconds(1), maxConnections: 1,
                                    loops: ClientEventLoops(Self.group))
        let slow = Self.post(1, url: url, deadline: .now() + .seconds(10))
        let impatient = Self.post(2, url: url, deadline: .now() + .milliseconds(300))
        let patient = Self.post(3, url: url, deadline: .now() + .seconds(10))
        for post in [slow, impatient, patient] { pool.send(post) }
        #expect(try await Self.outcome(impatient) == "timedOut", "ended by the sweep while waiting")
        #expect(try await Self.outcome(slow) == "finished")
        #expect(try await Self.outcome(patient) == "finished")
        let order = seen.posts.withLockedValue { $0.map { LeanHTTPPoolTests.id(of: $0.body) } }
        #expect(order == ["1", "3"], "the timed-out POST never went out")
        pool.close()
        await server.stop()
    }
}
