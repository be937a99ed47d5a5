import Foundation
import Testing
@testable import MCPConfig

/// The pool and reliability keys of a server entry (`pool`, `health`, `breaker`, `retry`,
/// `timeoutSeconds`, `toolTimeouts`, `maxConcurrent`, `maxQueued`, `maxRSSMiB`, `replicas`) and
/// `proxy.upstreams.failOpen`: every key, the defaults, and each problem with its line.
@Suite struct ReliabilityConfigTests {
    /// Loads `text`, recording an issue when it does not load.
    private func load(_ text: String, env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> ProxyConfig? {
        do {
            return try ConfigLoader.load(text: text, sourceName: "test.yaml", environment: env)
        } catch {
            Issue.record("expected the config to load, got:\n\(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// Loads `text`, expecting problems, and returns them.
    private func problems(_ text: String, env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigProblem] {
        do {
            let config = try ConfigLoader.load(text: text, sourceName: "test.yaml", environment: env)
            Issue.record("expected problems, but the config loaded: \(config)", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.problems
        }
    }

    /// A file with one command server `s` whose line 4 is `line`.
    private func server(_ line: String) -> String {
        "mcpServers:\n  s:\n    command: x\n    \(line)\n"
    }

    // MARK: Every key

    @Test func everyKeyIsRead() throws {
        let config = try #require(load("""
            mcpServers:
              git:
                command: mcp-server-git
                pool: { mode: shared, size: 2, max: 4, idleTimeoutSeconds: 120.5, serverRequests: refuse, maxChildren: 0 }
                health: { intervalSeconds: 10, timeoutSeconds: 2 }
                breaker: { failureThreshold: 3, openSeconds: 7.5, countErrors: true }
                retry: { attempts: 3, backoffMs: 12.5 }
                timeoutSeconds: 30
                toolTimeouts: { "slow_*": 120, "git_log": 5, "*": 60 }
                maxConcurrent: 64
                maxQueued: 100
                maxRSSMiB: 512
                replicas:
                  - { url: http://10.0.0.2:9000/mcp }
                  - { command: mcp-server-git, args: [--repository, /srv/b] }
            proxy:
              upstreams:
                failOpen: keep
            """))
        let git = try #require(config.servers.first)
        #expect(git.pool == PoolSettings(mode: .shared, size: 2, max: 4, idleTimeoutSeconds: 120.5, serverRequests: .refuse, maxChildren: 0))
        #expect(git.pool.effectiveMax == 4)
        #expect(git.health == HealthSettings(intervalSeconds: 10, timeoutSeconds: 2))
        #expect(git.breaker == BreakerSettings(failureThreshold: 3, openSeconds: 7.5, countErrors: true))
        #expect(git.retry == RetrySettings(attempts: 3, backoffMs: 12.5))
        #expect(git.timeoutSeconds == 30)
        #expect(git.toolTimeouts == [
            ToolTimeout(pattern: "slow_*", seconds: 120), ToolTimeout(pattern: "git_log", seconds: 5), ToolTimeout(pattern: "*", seconds: 60),
        ], "in file order: the first match wins")
        #expect(git.maxConcurrent == 64)
        #expect(git.maxQueued == 100)
        #expect(git.maxRSSMiB == 512)
        #expect(git.replicas == [
            .remote(url: "http://10.0.0.2:9000/mcp", kind: .streamableHTTP, headers: [:]),
            .stdio(command: "mcp-server-git", arguments: ["--repository", "/srv/b"], environment: [:], inheritEnvironment: true, workingDirectory: nil),
        ])
        #expect(git.endpoints.count == 3)
        #expect(git.endpoints.first == git.transport)
        #expect(config.proxy.failOpen == .keep)
        #expect(config.warnings.isEmpty)
    }

    @Test func theExampleOfTheIssueLoads() throws {
        let config = try #require(load("""
            mcpServers:
              git:
                command: mcp-server-git
                pool: { mode: shared, size: 1, max: 4, idleTimeoutSeconds: 300, serverRequests: lease, maxChildren: 0 }
                health: { intervalSeconds: 10, timeoutSeconds: 2 }
                breaker: { failureThreshold: 5, openSeconds: 10, countErrors: false }
                retry: { attempts: 2, backoffMs: 50 }
                timeoutSeconds: 30
                toolTimeouts: { "slow_*": 120 }
                maxConcurrent: 64
                maxQueued: 256
                maxRSSMiB: 0
                replicas:
                  - { url: http://10.0.0.2:9000/mcp }
                  - { command: mcp-server-git, args: [--repository, /srv/b] }
            proxy:
              upstreams:
                failOpen: hide
            """))
        let git = try #require(config.servers.first)
        #expect(git.pool == PoolSettings(max: 4))
        #expect(git.health == HealthSettings(intervalSeconds: 10, timeoutSeconds: 2))
        #expect(git.breaker == BreakerSettings())
        #expect(git.retry == RetrySettings())
        #expect(git.toolTimeouts == [ToolTimeout(pattern: "slow_*", seconds: 120)])
        #expect(git.replicas.count == 2)
        #expect(config.proxy.failOpen == .hide)
    }

    @Test func perSessionPool() throws {
        let config = try #require(load(server("pool: { mode: perSession, size: 1, max: 1, idleTimeoutSeconds: 60, maxChildren: 20 }")))
        #expect(config.servers.first?.pool == PoolSettings(mode: .perSession, size: 1, max: 1, idleTimeoutSeconds: 60, maxChildren: 20))
    }

    @Test func aSizeOfZeroStartsSessionsOnDemand() throws {
        let config = try #require(load(server("pool: { size: 0 }")))
        #expect(config.servers.first?.pool.size == 0)
        #expect(config.servers.first?.pool.max == nil)
        #expect(config.servers.first?.pool.effectiveMax == 1)
    }

    @Test func jsonGivesTheSameValuesAsYAML() throws {
        let json = try #require(load("""
            {"mcpServers": {"s": {"command": "x",
              "pool": {"mode": "perSession", "idleTimeoutSeconds": 60, "maxChildren": 8, "serverRequests": "refuse"},
              "health": false, "breaker": {"failureThreshold": 2}, "retry": {"attempts": 1},
              "timeoutSeconds": 12.5, "toolTimeouts": {"b*": 1, "a*": 2}, "maxConcurrent": 4, "maxQueued": 0,
              "replicas": [{"url": "https://b.example.com/mcp", "headers": {"X-Key": "k"}}]}},
             "proxy": {"upstreams": {"failOpen": "keep"}}}
            """))
        let yaml = try #require(load("""
            mcpServers:
              s:
                command: x
                pool: { mode: perSession, idleTimeoutSeconds: 60, maxChildren: 8, serverRequests: refuse }
                health: false
                breaker: { failureThreshold: 2 }
                retry: { attempts: 1 }
                timeoutSeconds: 12.5
                toolTimeouts: { "b*": 1, "a*": 2 }
                maxConcurrent: 4
                maxQueued: 0
                replicas:
                  - url: https://b.example.com/mcp
                    headers: { X-Key: k }
            proxy:
              upstreams: { failOpen: keep }
            """))
        #expect(json.servers == yaml.servers)
        #expect(json.proxy == yaml.proxy)
        #expect(json.servers.first?.toolTimeouts.map(\.pattern) == ["b*", "a*"])
    }

    // MARK: Defaults

    @Test func aServerWithoutTheKeysGetsTheDefaults() throws {
        let config = try #require(load("mcpServers:\n  s: { command: x }\n  r: { url: https://example.com/mcp }\n"))
        for server in config.servers {
            #expect(server.pool == PoolSettings(mode: .shared, size: 1, max: nil, idleTimeoutSeconds: 300, serverRequests: .lease, maxChildren: 0))
            #expect(server.health == HealthSettings(intervalSeconds: 30, timeoutSeconds: 5))
            #expect(server.breaker == BreakerSettings(failureThreshold: 5, openSeconds: 10, countErrors: false))
            #expect(server.retry == RetrySettings(attempts: 2, backoffMs: 50))
            #expect(server.timeoutSeconds == nil)
            #expect(server.toolTimeouts.isEmpty)
            #expect(server.maxConcurrent == nil)
            #expect(server.maxQueued == 256)
            #expect(server.maxRSSMiB == 0)
            #expect(server.replicas.isEmpty)
            #expect(server.endpoints == [server.transport])
            #expect(server == ServerConfig(name: server.name, transport: server.transport, namespace: server.name),
                    "ServerConfig.init's defaults are those of a file entry that only gives the transport")
        }
        #expect(config.proxy.failOpen == .hide)
        #expect(ProxySettings.defaults.failOpen == .hide)
    }

    @Test(arguments: ["pool: {}", "health: {}", "health: true", "breaker: {}", "breaker: yes", "retry: {}", "retry: true",
                      "toolTimeouts: {}", "replicas: []", "pool:", "health: null", "breaker: ~", "retry:", "replicas:"])
    func emptyOrNullSectionsMeanTheDefaults(line: String) throws {
        let config = try #require(load(server(line)))
        let server = try #require(config.servers.first)
        #expect(server == ServerConfig(name: "s", transport: server.transport, namespace: "s"))
    }

    @Test(arguments: ["false", "off", "no", "\"${CHECKS}\""])
    func falseSwitchesHealthBreakerAndRetryOff(value: String) throws {
        let config = try #require(load("""
            mcpServers:
              s:
                command: x
                health: \(value)
                breaker: \(value)
                retry: \(value)
            """, env: ["CHECKS": "false"]))
        let server = try #require(config.servers.first)
        #expect(server.health == nil)
        #expect(server.breaker == nil)
        #expect(server.retry == RetrySettings(attempts: 1))
        #expect(server.retry == .off)
    }

    @Test func numbersAndChoicesMayComeFromTheEnvironment() throws {
        let config = try #require(load("""
            mcpServers:
              s:
                command: x
                pool: { mode: "${MODE}", size: "${SIZE}", idleTimeoutSeconds: "${IDLE}" }
                retry: { attempts: "${ATTEMPTS:-3}", backoffMs: "${BACKOFF}" }
                maxConcurrent: "${CONCURRENT}"
            proxy:
              upstreams: { failOpen: "${FAIL_OPEN:-keep}" }
            """, env: ["MODE": "perSession", "SIZE": "1", "IDLE": "2.5", "BACKOFF": "75", "CONCURRENT": "8"]))
        let server = try #require(config.servers.first)
        #expect(server.pool == PoolSettings(mode: .perSession, idleTimeoutSeconds: 2.5))
        #expect(server.retry == RetrySettings(attempts: 3, backoffMs: 75))
        #expect(server.maxConcurrent == 8)
        #expect(config.proxy.failOpen == .keep)
    }

    @Test func existingKeysKeepTheirValues() throws {
        // The desktop-client `timeout` is still only a warning, now pointing at timeoutSeconds.
        let config = try #require(load(server("timeout: 60")))
        #expect(config.servers.first?.timeoutSeconds == nil)
        #expect(config.warnings == ["test.yaml:4: mcpServers.s.timeout: ignored: a desktop-client setting; use timeoutSeconds (this server) or proxy.limits.requestTimeoutSeconds"])
    }

    // MARK: Problems

    /// A line 4 of ``server(_:)``, the key path of the problem and its message.
    struct Case: Sendable, CustomTestStringConvertible {
        var line: String
        var keyPath: String
        var message: String
        var testDescription: String { line }
    }

    static let valueCases: [Case] = [
        Case(line: "pool: shared", keyPath: "mcpServers.s.pool",
             message: "expected a pool mapping (mode, size, max, idleTimeoutSeconds, serverRequests, maxChildren), found the string \"shared\""),
        Case(line: "pool: { mode: per-session }", keyPath: "mcpServers.s.pool.mode",
             message: "expected one of shared, perSession, found \"per-session\"; did you mean 'perSession'?"),
        Case(line: "pool: { size: -1 }", keyPath: "mcpServers.s.pool.size", message: "must be at least 0, found -1"),
        Case(line: "pool: { size: 1.5 }", keyPath: "mcpServers.s.pool.size", message: "expected a whole number, found the number 1.5"),
        Case(line: "pool: { size: \"two\" }", keyPath: "mcpServers.s.pool.size", message: "expected a whole number, found the string \"two\""),
        Case(line: "pool: { size: 99999999999999999999999 }", keyPath: "mcpServers.s.pool.size",
             message: "expected a whole number, found the string \"99999999999999999999999\""),
        Case(line: "pool: { max: 0 }", keyPath: "mcpServers.s.pool.max", message: "must be greater than 0, found 0"),
        Case(line: "pool: { size: 3, max: 2 }", keyPath: "mcpServers.s.pool.max", message: "must be at least size (3), found 2"),
        Case(line: "pool: { mode: perSession, size: 2 }", keyPath: "mcpServers.s.pool.size",
             message: "must be 1 in mode: perSession (each client session has exactly one upstream session), found 2; cap the upstream sessions of all clients with maxChildren"),
        Case(line: "pool: { mode: perSession, size: 0 }", keyPath: "mcpServers.s.pool.size",
             message: "must be 1 in mode: perSession (each client session has exactly one upstream session), found 0; cap the upstream sessions of all clients with maxChildren"),
        Case(line: "pool: { mode: perSession, max: 4 }", keyPath: "mcpServers.s.pool.max",
             message: "must be 1 in mode: perSession (each client session has exactly one upstream session), found 4; cap the upstream sessions of all clients with maxChildren"),
        Case(line: "pool: { maxChildren: 3 }", keyPath: "mcpServers.s.pool.maxChildren",
             message: "only used with mode: perSession; in mode: shared, max caps the upstream sessions"),
        Case(line: "pool: { mode: perSession, maxChildren: -1 }", keyPath: "mcpServers.s.pool.maxChildren", message: "must be at least 0, found -1"),
        Case(line: "pool: { idleTimeoutSeconds: 0 }", keyPath: "mcpServers.s.pool.idleTimeoutSeconds", message: "must be greater than 0 seconds, found 0.0"),
        Case(line: "pool: { idleTimeoutSeconds: -5 }", keyPath: "mcpServers.s.pool.idleTimeoutSeconds", message: "must be greater than 0 seconds, found -5.0"),
        Case(line: "pool: { idleTimeoutSeconds: .nan }", keyPath: "mcpServers.s.pool.idleTimeoutSeconds", message: "must be greater than 0 seconds, found nan"),
        Case(line: "pool: { idleTimeoutSeconds: .inf }", keyPath: "mcpServers.s.pool.idleTimeoutSeconds", message: "must be greater than 0 seconds, found inf"),
        Case(line: "pool: { idleTimeoutSeconds: 1e400 }", keyPath: "mcpServers.s.pool.idleTimeoutSeconds", message: "must be greater than 0 seconds, found inf"),
        Case(line: "pool: { idleTimeoutSeconds: 40000000 }", keyPath: "mcpServers.s.pool.idleTimeoutSeconds",
             message: "must be at most 31536000 seconds (a year), found 40000000"),
        Case(line: "pool: { idleTimeoutSeconds: soon }", keyPath: "mcpServers.s.pool.idleTimeoutSeconds", message: "expected a number of seconds, found the string \"soon\""),
        Case(line: "pool: { idleTimeoutSeconds: [1] }", keyPath: "mcpServers.s.pool.idleTimeoutSeconds", message: "expected a number of seconds, found a list"),
        Case(line: "pool: { serverRequests: deny }", keyPath: "mcpServers.s.pool.serverRequests", message: "expected one of lease, refuse, found \"deny\""),
        Case(line: "health: sometimes", keyPath: "mcpServers.s.health",
             message: "expected a health mapping (intervalSeconds, timeoutSeconds), or false to switch health checks off, found the string \"sometimes\""),
        Case(line: "health: [10]", keyPath: "mcpServers.s.health",
             message: "expected a health mapping (intervalSeconds, timeoutSeconds), or false to switch health checks off, found a list"),
        Case(line: "health: 0", keyPath: "mcpServers.s.health",
             message: "expected a health mapping (intervalSeconds, timeoutSeconds), or false to switch health checks off, found the number 0"),
        Case(line: "health: { intervalSeconds: 0 }", keyPath: "mcpServers.s.health.intervalSeconds", message: "must be greater than 0 seconds, found 0.0"),
        Case(line: "health: { timeoutSeconds: -1 }", keyPath: "mcpServers.s.health.timeoutSeconds", message: "must be greater than 0 seconds, found -1.0"),
        Case(line: "health: { intervalSeconds: 10, timeoutSeconds: 10 }", keyPath: "mcpServers.s.health.timeoutSeconds",
             message: "must be less than intervalSeconds (10), found 10"),
        Case(line: "health: { timeoutSeconds: 45 }", keyPath: "mcpServers.s.health.timeoutSeconds",
             message: "must be less than intervalSeconds (30, the default), found 45"),
        Case(line: "health: { intervalSeconds: 2.5 }", keyPath: "mcpServers.s.health.intervalSeconds",
             message: "must be more than timeoutSeconds (5, the default), found 2.5; lower timeoutSeconds too"),
        Case(line: "health: \"${CHECKS}\"", keyPath: "mcpServers.s.health",
             message: "expected true or false, but '${CHECKS}' expanded to \"sometimes\""),
        Case(line: "breaker: 5", keyPath: "mcpServers.s.breaker",
             message: "expected a breaker mapping (failureThreshold, openSeconds, countErrors), or false to switch the breaker off, found the number 5"),
        Case(line: "breaker: { failureThreshold: 0 }", keyPath: "mcpServers.s.breaker.failureThreshold", message: "must be greater than 0, found 0"),
        Case(line: "breaker: { failureThreshold: 2.5 }", keyPath: "mcpServers.s.breaker.failureThreshold", message: "expected a whole number, found the number 2.5"),
        Case(line: "breaker: { openSeconds: -1 }", keyPath: "mcpServers.s.breaker.openSeconds", message: "must be greater than 0 seconds, found -1.0"),
        Case(line: "breaker: { countErrors: maybe }", keyPath: "mcpServers.s.breaker.countErrors", message: "expected true or false, found the string \"maybe\""),
        Case(line: "retry: 3", keyPath: "mcpServers.s.retry",
             message: "expected a retry mapping (attempts, backoffMs), or false for no retry, found the number 3"),
        Case(line: "retry: { attempts: 0 }", keyPath: "mcpServers.s.retry.attempts",
             message: "must be from 1 to 10 (tries in all, including the first; 1 = no retry), found 0"),
        Case(line: "retry: { attempts: 11 }", keyPath: "mcpServers.s.retry.attempts",
             message: "must be from 1 to 10 (tries in all, including the first; 1 = no retry), found 11"),
        Case(line: "retry: { attempts: two }", keyPath: "mcpServers.s.retry.attempts", message: "expected a whole number, found the string \"two\""),
        Case(line: "retry: { backoffMs: -1 }", keyPath: "mcpServers.s.retry.backoffMs", message: "must be 0 or more milliseconds, found -1"),
        Case(line: "retry: { backoffMs: .nan }", keyPath: "mcpServers.s.retry.backoffMs", message: "must be 0 or more milliseconds, found nan"),
        Case(line: "retry: { backoffMs: 1e12 }", keyPath: "mcpServers.s.retry.backoffMs",
             message: "must be at most 31536000000 milliseconds (a year), found 1000000000000"),
        Case(line: "retry: { backoffMs: fast }", keyPath: "mcpServers.s.retry.backoffMs", message: "expected a number of milliseconds, found the string \"fast\""),
        Case(line: "retry: { backoffMs: \"${BACKOFF}\" }", keyPath: "mcpServers.s.retry.backoffMs",
             message: "expected a number of milliseconds, but '${BACKOFF}' expanded to \"soon\""),
        Case(line: "timeoutSeconds: 0", keyPath: "mcpServers.s.timeoutSeconds", message: "must be greater than 0 seconds, found 0.0"),
        Case(line: "timeoutSeconds: [30]", keyPath: "mcpServers.s.timeoutSeconds", message: "expected a number of seconds, found a list"),
        Case(line: "toolTimeouts: [slow]", keyPath: "mcpServers.s.toolTimeouts",
             message: "expected a mapping of tool name globs to seconds, e.g. { \"slow_*\": 120 }, found a list"),
        Case(line: "toolTimeouts: { \"slow_[\": 10 }", keyPath: "mcpServers.s.toolTimeouts[\"slow_[\"]",
             message: "the '[' at character 6 of \"slow_[\" is never closed with ']'; write '\\[' for a literal bracket"),
        Case(line: "toolTimeouts: { \"\": 10 }", keyPath: "mcpServers.s.toolTimeouts[\"\"]",
             message: "a pattern must not be empty; use \"*\" to match everything"),
        Case(line: "toolTimeouts: { \"slow_*\": 0 }", keyPath: "mcpServers.s.toolTimeouts[\"slow_*\"]", message: "must be greater than 0 seconds, found 0.0"),
        Case(line: "toolTimeouts: { \"slow_*\": null }", keyPath: "mcpServers.s.toolTimeouts[\"slow_*\"]",
             message: "expected a number of seconds, found nothing (null)"),
        Case(line: "toolTimeouts: { \"slow_*\": { seconds: 3 } }", keyPath: "mcpServers.s.toolTimeouts[\"slow_*\"]",
             message: "expected a number of seconds, found a mapping"),
        Case(line: "maxConcurrent: 0", keyPath: "mcpServers.s.maxConcurrent", message: "must be greater than 0, found 0"),
        Case(line: "maxConcurrent: unlimited", keyPath: "mcpServers.s.maxConcurrent", message: "expected a whole number, found the string \"unlimited\""),
        Case(line: "maxQueued: -1", keyPath: "mcpServers.s.maxQueued", message: "must be at least 0, found -1"),
        Case(line: "maxRSSMiB: -1", keyPath: "mcpServers.s.maxRSSMiB", message: "must be from 0 to 1073741824 (0 = no cap), found -1"),
        Case(line: "maxRSSMiB: 1073741825", keyPath: "mcpServers.s.maxRSSMiB", message: "must be from 0 to 1073741824 (0 = no cap), found 1073741825"),
        Case(line: "maxRSSMiB: 1.5", keyPath: "mcpServers.s.maxRSSMiB", message: "expected a whole number, found the number 1.5"),
        Case(line: "replicas: { url: http://a/mcp }", keyPath: "mcpServers.s.replicas",
             message: "expected a list of replicas, each { command, args, ... } or { url, type, headers }, found a mapping"),
        Case(line: "replicas: [x]", keyPath: "mcpServers.s.replicas[0]", message: "expected a replica mapping with a command or a url, found the string \"x\""),
    ]

    @Test(arguments: valueCases)
    func wrongValuesAreProblemsWithTheirLine(_ example: Case) {
        let found = problems(server(example.line), env: ["CHECKS": "sometimes", "BACKOFF": "soon"])
        #expect(found.map(\.description) == ["test.yaml:4: \(example.keyPath): \(example.message)"])
    }

    static let unknownKeyCases: [Case] = [
        Case(line: "pool: { sise: 2 }", keyPath: "mcpServers.s.pool.sise", message: "unknown key in pool; did you mean 'size'?"),
        Case(line: "pool: { idleTimeout: 2 }", keyPath: "mcpServers.s.pool.idleTimeout", message: "unknown key in pool; write it as idleTimeoutSeconds"),
        Case(line: "pool: { bogus: 2 }", keyPath: "mcpServers.s.pool.bogus",
             message: "unknown key in pool (allowed: mode, size, max, idleTimeoutSeconds, serverRequests, maxChildren)"),
        Case(line: "health: { interval: 5 }", keyPath: "mcpServers.s.health.interval", message: "unknown key in health; did you mean 'intervalSeconds'?"),
        Case(line: "health: { enabled: false }", keyPath: "mcpServers.s.health.enabled",
             message: "unknown key in health; write health: false to switch health checks off"),
        Case(line: "breaker: { failureTreshold: 3 }", keyPath: "mcpServers.s.breaker.failureTreshold",
             message: "unknown key in breaker; did you mean 'failureThreshold'?"),
        Case(line: "breaker: { enabled: false }", keyPath: "mcpServers.s.breaker.enabled",
             message: "unknown key in breaker; write breaker: false to switch the breaker off"),
        Case(line: "retry: { attemps: 3 }", keyPath: "mcpServers.s.retry.attemps", message: "unknown key in retry; did you mean 'attempts'?"),
        Case(line: "retry: { backoffSeconds: 1 }", keyPath: "mcpServers.s.retry.backoffSeconds",
             message: "unknown key in retry; write it as backoffMs, in milliseconds"),
        Case(line: "helth: {}", keyPath: "mcpServers.s.helth", message: "unknown key in a server entry; did you mean 'health'?"),
        Case(line: "circuitBreaker: {}", keyPath: "mcpServers.s.circuitBreaker", message: "unknown key in a server entry; write it as breaker"),
        Case(line: "maxConcurrency: 4", keyPath: "mcpServers.s.maxConcurrency", message: "unknown key in a server entry; did you mean 'maxConcurrent'?"),
        Case(line: "replica: []", keyPath: "mcpServers.s.replica", message: "unknown key in a server entry; write it as replicas, a list"),
        Case(line: "replicas: [{ command: y, pool: { size: 2 } }]", keyPath: "mcpServers.s.replicas[0].pool",
             message: "unknown key in a replica; a replica gives only how to reach the server; pool is set once, on the server, for all its replicas"),
        Case(line: "replicas: [{ url: \"https://a/mcp\", tls: { ca: /x.pem } }]", keyPath: "mcpServers.s.replicas[0].tls",
             message: "unknown key in a replica; a replica gives only how to reach the server; tls is set once, on the server, for all its replicas"),
        Case(line: "replicas: [{ command: y, disabled: true }]", keyPath: "mcpServers.s.replicas[0].disabled",
             message: "unknown key in a replica; remove the replica from the list instead"),
    ]

    @Test(arguments: unknownKeyCases)
    func unknownKeysGetASuggestion(_ example: Case) {
        let found = problems(server(example.line))
        #expect(found.map(\.description) == ["test.yaml:4: \(example.keyPath): \(example.message)"])
    }

    @Test func everyProblemOfAServerIsReportedAtOnce() {
        let found = problems("""
            mcpServers:
              s:
                command: x
                pool:
                  mode: perSession
                  size: 3
                  idleTimeoutSeconds: -1
                health:
                  intervalSeconds: 1
                  timeoutSeconds: 2
                retry:
                  attempts: 20
                  backof: 5
            """)
        #expect(found.map { "\($0.line ?? 0) \($0.keyPath)" } == [
            "6 mcpServers.s.pool.size",
            "7 mcpServers.s.pool.idleTimeoutSeconds",
            "10 mcpServers.s.health.timeoutSeconds",
            "12 mcpServers.s.retry.attempts",
            "13 mcpServers.s.retry.backof",
        ], "in line order")
        #expect(found.at("mcpServers.s.retry.backof").first?.message == "unknown key in retry; did you mean 'backoffMs'?")
    }

    @Test func maxRSSMiBNeedsACommandSomewhere() throws {
        let found = problems("mcpServers:\n  r:\n    url: https://example.com/mcp\n    maxRSSMiB: 256\n")
        #expect(found.map(\.description) == [
            "test.yaml:4: mcpServers.r.maxRSSMiB: only used by servers started with a command (or with command replicas); remove it from this remote server",
        ])
        let config = try #require(load("""
            mcpServers:
              r:
                url: https://example.com/mcp
                maxRSSMiB: 256
                replicas: [{ command: local-copy }]
            """))
        #expect(config.servers.first?.maxRSSMiB == 256)
    }

    @Test func maxQueuedWithoutMaxConcurrentIsAWarning() throws {
        let config = try #require(load(server("maxQueued: 10")))
        #expect(config.servers.first?.maxQueued == 10)
        #expect(config.warnings == ["test.yaml:4: mcpServers.s.maxQueued: has no effect without maxConcurrent: requests only wait when maxConcurrent are in flight"])
    }

    // MARK: Replicas

    @Test func replicasOfBothKindsUseTheTransportKeys() throws {
        let config = try #require(load("""
            mcpServers:
              docs:
                url: https://docs.example.com/mcp
                headers: { Authorization: "Bearer ${TOKEN}" }
                replicas:
                  - url: wss://docs-2.example.com/mcp
                    headers: { Authorization: "Bearer ${TOKEN}" }
                  - { serverUrl: "https://docs-3.example.com/sse" }
                  - { url: "https://docs-4.example.com/mcp", type: sse }
                  - command: docs-server
                    args: [--port, 0]
                    env: { TOKEN: "${TOKEN}" }
                    cwd: /srv/docs
                    inheritEnvironment: false
                  - { command: docs-server, type: stdio }
            """, env: ["TOKEN": "t"]))
        let docs = try #require(config.servers.first)
        #expect(docs.replicas == [
            .remote(url: "wss://docs-2.example.com/mcp", kind: .webSocket, headers: ["Authorization": "Bearer t"]),
            .remote(url: "https://docs-3.example.com/sse", kind: .sse, headers: [:]),
            .remote(url: "https://docs-4.example.com/mcp", kind: .sse, headers: [:]),
            .stdio(command: "docs-server", arguments: ["--port", "0"], environment: ["TOKEN": "t"], inheritEnvironment: false, workingDirectory: "/srv/docs"),
            .stdio(command: "docs-server", arguments: [], environment: [:], inheritEnvironment: true, workingDirectory: nil),
        ])
        #expect(config.warnings.isEmpty)
    }

    @Test func replicaProblemsAreTheTransportProblemsOfAServer() {
        let found = problems("""
            mcpServers:
              s:
                command: x
                replicas:
                  - { args: [a] }
                  - { command: y, url: "https://a/mcp" }
                  - { url: "ftp://a/mcp" }
                  - { command: y, headers: { A: b } }
                  - { url: "https://a/mcp", env: { A: b } }
                  - { command: "" }
                  - { url: "https://a/mcp", type: ws }
                  - { comand: y }
                  - { url: "${MISSING}" }
            """)
        #expect(found.map(\.description) == [
            "test.yaml:5: mcpServers.s.replicas[0]: missing: a server needs a 'command' (to start a local server) or a 'url' (to reach a remote one)",
            "test.yaml:6: mcpServers.s.replicas[1]: has both command and url; a server is either a local command or a remote URL, keep one",
            "test.yaml:7: mcpServers.s.replicas[2].url: the URL scheme must be http, https, ws or wss, found 'ftp'",
            "test.yaml:8: mcpServers.s.replicas[3].headers: only used by remote servers (with a url); remove it from this command server",
            "test.yaml:9: mcpServers.s.replicas[4].env: only used by servers started with a command; remove it from this remote server",
            "test.yaml:10: mcpServers.s.replicas[5].command: expected a program to run, e.g. python3 or /usr/local/bin/server, found an empty string",
            "test.yaml:11: mcpServers.s.replicas[6].url: the server's type (ws) needs a ws:// or wss:// URL, found 'https://'",
            "test.yaml:12: mcpServers.s.replicas[7].comand: unknown key in a replica; did you mean 'command'?",
            "test.yaml:12: mcpServers.s.replicas[7]: missing: a server needs a 'command' (to start a local server) or a 'url' (to reach a remote one)",
            "test.yaml:13: mcpServers.s.replicas[8].url: environment variable 'MISSING' is not set; set it, or give a default with ${MISSING:-value}",
        ])
    }

    // MARK: proxy.upstreams.failOpen

    @Test(arguments: [("hide", FailOpenPolicy.hide), ("keep", .keep)])
    func failOpenIsRead(text: String, policy: FailOpenPolicy) throws {
        let config = try #require(load("mcpServers:\n  s: { command: x }\nproxy:\n  upstreams: { failOpen: \(text) }\n"))
        #expect(config.proxy.failOpen == policy)
    }

    @Test func failOpenProblems() {
        #expect(problems("mcpServers:\n  s: { command: x }\nproxy:\n  upstreams: { failOpen: show }\n").map(\.description) == [
            "test.yaml:4: proxy.upstreams.failOpen: expected one of hide, keep, found \"show\"",
        ])
        #expect(problems("mcpServers:\n  s: { command: x }\nproxy:\n  upstreams: { failOpen: true }\n").map(\.description) == [
            "test.yaml:4: proxy.upstreams.failOpen: expected one of hide, keep, found \"true\"",
        ])
        #expect(problems("mcpServers:\n  s: { command: x }\nproxy:\n  upstreams: { failopen: keep }\n").map(\.description) == [
            "test.yaml:4: proxy.upstreams.failopen: unknown key in proxy.upstreams; did you mean 'failOpen'?",
        ])
        #expect(problems("mcpServers:\n  s: { command: x }\nproxy:\n  failOpen: keep\n").map(\.description) == [
            "test.yaml:4: proxy.failOpen: unknown key in proxy; it belongs under proxy.upstreams",
        ])
    }

    // MARK: Robustness

    static let awkwardValues = ["-1", "0", "1", "2", "1.5", ".nan", "-.inf", "1e400", "99999999999999999999", "\"\"", "\"x\"", "true", "false",
                                "null", "[]", "[1, 2]", "{}", "{ a: 1 }", "\"${UNSET}\"", "\"${N}\"", "*anchor", "!!binary aGk="]

    /// Every key of every new section with every kind of value: the loader answers with a config
    /// or with problems that all have a line, and never crashes.
    @Test(arguments: ["pool.mode", "pool.size", "pool.max", "pool.idleTimeoutSeconds", "pool.serverRequests", "pool.maxChildren",
                      "health", "health.intervalSeconds", "health.timeoutSeconds", "breaker", "breaker.failureThreshold",
                      "breaker.openSeconds", "breaker.countErrors", "retry", "retry.attempts", "retry.backoffMs", "pool",
                      "timeoutSeconds", "toolTimeouts", "toolTimeouts.x", "maxConcurrent", "maxQueued", "maxRSSMiB", "replicas",
                      "replicas.command", "replicas.url"])
    func anyValueAnywhereGivesAnAnswer(key: String) {
        for value in Self.awkwardValues {
            let parts = key.split(separator: ".")
            let line: String
            switch (parts.count, parts.first) {
            case (1, _): line = "\(key): \(value)"
            case (_, "replicas"?): line = "replicas: [{ \(parts[1]): \(value) }]"
            default: line = "\(parts[0]): { \(parts[1]): \(value) }"
            }
            let text = "anchors: &anchor 3\nmcpServers:\n  s:\n    command: x\n    \(line)\n"
            do {
                _ = try ConfigLoader.load(text: text, sourceName: "test.yaml", environment: ["N": "7"])
            } catch {
                #expect(!error.problems.isEmpty, "\(line)")
                #expect(error.problems.allSatisfy { $0.line != nil }, "\(line): \(error.problems)")
            }
        }
    }

    // MARK: The examples

    @Test func fullExampleHasThePoolKeys() throws {
        let config = try ConfigLoader.load(path: examplesDirectory() + "/full.yaml", environment: ["DOCS_TOKEN": "t"])
        let git = try #require(config.servers.first { $0.name == "git" })
        #expect(git.pool == PoolSettings(mode: .shared, size: 1, max: 4, idleTimeoutSeconds: 300, serverRequests: .lease, maxChildren: 0))
        #expect(git.health == HealthSettings(intervalSeconds: 10, timeoutSeconds: 2))
        #expect(git.breaker == BreakerSettings(failureThreshold: 5, openSeconds: 10, countErrors: false))
        #expect(git.retry == RetrySettings(attempts: 2, backoffMs: 50))
        #expect(git.timeoutSeconds == 30)
        #expect(git.toolTimeouts == [ToolTimeout(pattern: "git_log", seconds: 120)])
        #expect(git.maxConcurrent == 64)
        #expect(git.maxQueued == 256)
        #expect(git.maxRSSMiB == 1024)
        #expect(git.replicas == [
            .remote(url: "http://10.0.0.2:9000/mcp", kind: .streamableHTTP, headers: [:]),
            .stdio(command: "python3", arguments: ["-m", "mcp_server_git", "--repository", "/srv/b"], environment: [:],
                   inheritEnvironment: true, workingDirectory: nil),
        ])
        let time = try #require(config.servers.first { $0.name == "time" })
        #expect(time.pool == PoolSettings(mode: .perSession, idleTimeoutSeconds: 600, maxChildren: 32))
        #expect(time.health == nil)
        #expect(time.breaker == nil)
        #expect(time.retry == .off)
        #expect(config.proxy.failOpen == .hide)
    }

    /// Configuration.md shows full.yaml in full; the two stay the same.
    @Test func configurationGuideEmbedsFullYAMLVerbatim() throws {
        let root = URL(fileURLWithPath: examplesDirectory()).deletingLastPathComponent().deletingLastPathComponent()
        let guide = try String(contentsOf: root.appendingPathComponent("Documentation/Configuration.md"), encoding: .utf8)
        let example = try String(contentsOfFile: examplesDirectory() + "/full.yaml", encoding: .utf8)
        let start = try #require(guide.range(of: "## A complete annotated example"))
        let fence = try #require(guide.range(of: "```yaml\n", range: start.upperBound..<guide.endIndex))
        let end = try #require(guide.range(of: "\n```\n", range: fence.upperBound..<guide.endIndex))
        #expect(String(guide[fence.upperBound..<end.lowerBound]) + "\n" == example)
    }
}
