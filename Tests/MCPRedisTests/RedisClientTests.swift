import RedisTestSupport
import NIOCore
import NIOPosix
import Testing
@testable import MCPRedis

/// Commands, pipelining, scripts and authentication against a real redis-server.
@Suite struct RedisClientTests {
    @Test func setGetRoundTrip() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration())
            defer { Task { await pool.close() } }
            #expect(try await pool.set("greeting", to: "hello"))
            #expect(try await pool.get("greeting").map { String(buffer: $0) } == "hello")
            #expect(try await pool.get("missing") == nil)
            // Binary values come back byte for byte.
            var bytes = ByteBuffer()
            bytes.writeBytes([0, 13, 10, 255, 36])
            try await pool.set("binary", to: .bytes(bytes))
            #expect(try await pool.get("binary") == bytes)
            // NX and PX.
            #expect(try await pool.set("greeting", to: "other", onlyIfAbsent: true) == false)
            #expect(try await pool.set("short", to: "x", expireMilliseconds: 60_000))
            let ttl = try await pool.send("PTTL", "short").int ?? -1
            #expect(ttl > 0 && ttl <= 60_000)
            #expect(pool.health == .up)
        }
    }

    @Test func typedCommands() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration())
            defer { Task { await pool.close() } }
            try await pool.set("a", to: 1)
            try await pool.set("b", to: 2)
            #expect(try await pool.delete(["a", "b", "c"]) == 2)
            try await pool.set("t", to: "x")
            #expect(try await pool.pexpire("t", milliseconds: 50_000))
            #expect(try await pool.pexpire("nope", milliseconds: 50_000) == false)
            #expect(try await pool.sadd("revoked", members: ["s1", "s2", "s1"]) == 2)
            #expect(try await pool.sismember("revoked", member: "s2"))
            #expect(try await pool.sismember("revoked", member: "s3") == false)
            #expect(try await pool.publish(channel: "nobody", message: "hi") == 0)

            var ids: [String] = []
            for index in 0..<5 {
                ids.append(try await pool.xadd("events", maxLength: 1000, fields: [RedisStreamField("data", "event \(index)"), RedisStreamField("n", "\(index)")]))
            }
            let all = try await pool.xrange("events")
            #expect(all.map(\.id) == ids)
            #expect(all[2][field: "data"].map { String(buffer: $0) } == "event 2")
            #expect(try await pool.xrange("events", from: "(" + ids[3]).map(\.id) == [ids[4]])
            #expect(try await pool.xrange("events", count: 2).count == 2)
            let read = try await pool.xread([(key: "events", after: ids[2]), (key: "empty", after: "0")], count: 10)
            #expect(read.count == 1 && read[0].key == "events")
            #expect(read[0].entries.map(\.id) == Array(ids[3...]))
            #expect(try await pool.xread([(key: "events", after: ids[4])]).isEmpty)

            // An error reply throws serverError; the connection stays usable.
            await #expect(throws: RedisError.serverError("WRONGTYPE Operation against a key holding the wrong kind of value")) {
                _ = try await pool.get("revoked")
            }
            #expect(try await pool.send("PING") == .simpleString("PONG"))
            // RESP3 types come through HELLO 3: a map and a double.
            #expect(try await pool.send("HGETALL", "none") == .map([]))
            #expect(try await pool.send("INCRBYFLOAT", "f", .double(1.5)).string == "1.5")
        }
    }

    @Test func thousandPipelinedCommandsFromFiftyTasks() async throws {
        try await withRedisServer { server in
            // One connection, so all 50 tasks share it and replies must be matched in order.
            let connection = try await RedisConnection.connect(configuration: try server.configuration(), eventLoop: MultiThreadedEventLoopGroup.singleton.next())
            let pool = RedisConnectionPool(configuration: try server.configuration(poolSize: 2))
            defer { Task { await pool.close(); await connection.close() } }
            for executor in [connection, pool] as [any RedisCommandExecutor] {
                let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                    for task in 0..<50 {
                        group.addTask {
                            var wrong = 0
                            for index in 0..<20 {
                                let text = "task \(task) command \(index)"
                                if index % 2 == 0 {
                                    if try await executor.send("ECHO", .string(text)).string != text { wrong += 1 }
                                } else {
                                    try await executor.set("k:\(task):\(index)", to: .string(text))
                                    if try await executor.get("k:\(task):\(index)").map({ String(buffer: $0) }) != text { wrong += 1 }
                                }
                            }
                            return wrong
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(mismatches == 0)
            }
            // pipeline(): one write, replies in order, error replies in place.
            let replies = try await pool.pipeline((0..<1000).map { RedisCommand("ECHO", .integer(Int64($0))) } + [RedisCommand("NOSUCHCOMMAND")])
            #expect(replies.count == 1001)
            #expect(replies.prefix(1000).map(\.int) == (0..<1000).map { Int64($0) })
            #expect(replies.last?.errorMessage?.hasPrefix("ERR unknown command") == true)
        }
    }

    @Test func scriptBySHAWithNoscriptFallback() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration())
            defer { Task { await pool.close() } }
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
            _ = try await pool.send("SCRIPT", "FLUSH")
            _ = try await pool.send("CONFIG", "RESETSTAT")
            // The server does not know the script: EVALSHA gets NOSCRIPT, EVAL runs and caches it.
            #expect(try await pool.run(script, keys: ["counter"], arguments: [5]) == .integer(5))
            #expect(try await pool.send("SCRIPT", "EXISTS", .string(script.sha1)) == .array([.integer(1)]))
            #expect(try await pool.run(script, keys: ["counter"], arguments: [2]) == .integer(7))
            let stats = try await pool.send("INFO", "commandstats").string ?? ""
            #expect(stats.contains("cmdstat_eval:calls=1,"), "\(stats)")
            #expect(stats.contains("cmdstat_evalsha:calls=2,"), "\(stats)")
            // The locally computed SHA-1 is the one Redis computes.
            #expect(try await pool.send("SCRIPT", "LOAD", .string(script.source)).string == script.sha1)
            // A script error is a server error, not a fallback loop.
            await #expect(throws: RedisError.self) {
                _ = try await pool.run(RedisScript("return redis.call('NOSUCH')"), keys: [], arguments: [])
            }
        }
    }

    @Test func selectsTheURLsDatabase() async throws {
        try await withRedisServer { server in
            var configuration = try server.configuration()
            configuration.url.database = 3
            let db3 = RedisConnectionPool(configuration: configuration)
            let db0 = RedisConnectionPool(configuration: try server.configuration())
            defer { Task { await db3.close(); await db0.close() } }
            try await db3.set("only-in-3", to: "x")
            #expect(try await db0.get("only-in-3") == nil)
            #expect(try await db3.get("only-in-3").map { String(buffer: $0) } == "x")
        }
    }

    @Test func authenticatesWithPasswordAndACLUser() async throws {
        try await withRedisServer(password: "s3cret") { server in
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let connection = try await RedisConnection.connect(configuration: try server.configuration(), eventLoop: loop)
            #expect(try await connection.send("PING") == .simpleString("PONG"))
            _ = try await connection.send("ACL", "SETUSER", "proxy", "on", ">pr0xy", "~*", "+@all")
            await connection.close()

            let asUser = try await RedisConnection.connect(configuration: RedisConfiguration(url: "redis://proxy:pr0xy@127.0.0.1:\(server.port)"), eventLoop: loop)
            #expect(try await asUser.send("ACL", "WHOAMI").string == "proxy")
            await asUser.close()

            for url in ["redis://:hunter2@127.0.0.1:\(server.port)", "redis://127.0.0.1:\(server.port)"] {
                do throws(RedisError) {
                    _ = try await RedisConnection.connect(configuration: RedisConfiguration(url: url), eventLoop: loop)
                    Issue.record("\(url) connected")
                } catch {
                    guard case .connectionFailed(let reason) = error else {
                        Issue.record("\(error)")
                        continue
                    }
                    #expect(reason.contains("authentication failed"), "\(reason)")
                    #expect(!reason.contains("hunter2"), "the password leaks into the error: \(reason)")
                }
            }
            // A pool with a wrong password reports down, and commands fail at once, typed.
            let pool = RedisConnectionPool(configuration: try RedisConfiguration(url: "redis://:wrong@127.0.0.1:\(server.port)"))
            defer { Task { await pool.close() } }
            await #expect(throws: RedisError.self) { _ = try await pool.send("PING") }
            guard case .down(let reason) = pool.health else {
                Issue.record("health \(pool.health)")
                return
            }
            #expect(reason.contains("authentication failed"))
        }
    }

    @Test func unreachableServerFailsFastWithTypedError() async throws {
        // A port nothing listens on: the first command waits for the first attempt, then fails.
        let pool = RedisConnectionPool(configuration: try RedisConfiguration(url: "redis://127.0.0.1:1"))
        defer { Task { await pool.close() } }
        do throws(RedisError) {
            _ = try await pool.send("PING")
            Issue.record("PING succeeded")
        } catch {
            guard case .connectionFailed(let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(reason.contains("127.0.0.1:1"))
        }
        let start = ContinuousClock.now
        await #expect(throws: RedisError.self) { _ = try await pool.send("PING") }
        #expect(ContinuousClock.now - start < .seconds(1), "fails at once, not at the 2 s command timeout")
        await pool.close()
        await #expect(throws: RedisError.clientClosed) { _ = try await pool.send("PING") }
    }
}
