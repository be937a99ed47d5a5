import Testing
@testable import MCPRedis

@Suite struct RedisURLTests {
    @Test func plain() throws {
        let url = try RedisURL(parsing: "redis://127.0.0.1:6380/2")
        #expect(url == RedisURL(host: "127.0.0.1", port: 6380, database: 2))
        #expect(try RedisURL(parsing: "redis://localhost") == RedisURL(host: "localhost"))
        #expect(try RedisURL(parsing: "redis://localhost/") == RedisURL(host: "localhost"))
        #expect(try RedisURL(parsing: "redis://redis.internal:6379/0").host == "redis.internal")
    }

    @Test func tls() throws {
        let url = try RedisURL(parsing: "rediss://cache.example.com:6380")
        #expect(url.tls && url.port == 6380 && url.host == "cache.example.com")
        #expect(try RedisURL(parsing: "redis://h").tls == false)
    }

    @Test func credentials() throws {
        let both = try RedisURL(parsing: "redis://proxy:s3cret@10.0.0.5:6379/1")
        #expect(both.user == "proxy" && both.password == "s3cret" && both.database == 1)
        let passwordOnly = try RedisURL(parsing: "redis://:s3cret@h")
        #expect(passwordOnly.user == nil && passwordOnly.password == "s3cret")
        // Percent escapes, and an unescaped @ in the password (the last @ ends the credentials).
        let escaped = try RedisURL(parsing: "redis://us%3Aer:p%40ss%25w:rd@h:1")
        #expect(escaped.user == "us:er" && escaped.password == "p@ss%w:rd")
        #expect(try RedisURL(parsing: "redis://u:p@ss@h").password == "p@ss")
        #expect(try RedisURL(parsing: "redis://u:pa/ss?x@h/3").password == "pa/ss?x")
    }

    @Test func ipv6() throws {
        let url = try RedisURL(parsing: "redis://[::1]:7000/3")
        #expect(url.host == "::1" && url.port == 7000 && url.database == 3)
        #expect(try RedisURL(parsing: "redis://[fe80::1]").port == 6379)
        #expect(url.description == "redis://[::1]:7000/3")
    }

    @Test func descriptionRedactsPassword() throws {
        #expect(try RedisURL(parsing: "rediss://u:topsecret@h:1/2").description == "rediss://u:***@h:1/2")
        #expect(try RedisURL(parsing: "redis://:topsecret@h").description == "redis://:***@h:6379/0")
        #expect(try RedisURL(parsing: "redis://h").description == "redis://h:6379/0")
    }

    @Test(arguments: [
        ("http://h", "does not start with redis://"),
        ("h:6379", "does not start with redis://"),
        ("redis://", "no host"),
        ("redis://:6379", "no host"),
        ("redis://h:0", "port"),
        ("redis://h:65536", "port"),
        ("redis://h:abc", "port"),
        ("redis://h/x", "database"),
        ("redis://h/-1", "database"),
        ("redis://h/0?timeout=1", "query"),
        ("redis://[::1", "closing"),
        ("redis://[::1]x", "after the IPv6 host"),
        ("redis://user@h", "without a password"),
        ("redis://u:p%4@h", "percent escape"),
        ("redis://u:p%zz@h", "percent escape"),
    ])
    func invalid(text: String, expected: String) {
        do throws(RedisError) {
            let url = try RedisURL(parsing: text)
            Issue.record("\(text) parsed as \(url)")
        } catch {
            guard case .invalidURL(let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(reason.contains(expected), "\(text): \(reason)")
            #expect(error.description.contains("redis://[user:password@]host"))
        }
    }

    @Test func invalidURLMessageHidesPassword() {
        do throws(RedisError) {
            _ = try RedisURL(parsing: "http://u:hunter2@h")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }
}
