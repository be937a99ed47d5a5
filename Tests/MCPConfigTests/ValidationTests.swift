import XCTest
@testable import MCPConfig

final class ValidationTests: XCTestCase {
    func testEveryProblemIsReportedAtOnceWithPathAndLine() {
        let text = """
            mcpServers:
              time:
                command: ""
                args: ["-m", {bad: 1}]
                startup: sometimes
                tools: { allow: ["get_[abc"], denny: [] }
              "bad name":
                command: x
              remote:
                url: ftp://example.com/mcp
              nothing: {}
            proxy:
              separater: "__"
              limits: { maxMessageBytes: 0, requestTimeoutSeconds: -1 }
              logging: { level: loud }
              routes:
                - { method: "tools/call", action: explode }
                - { action: route, to: missing }
            """
        let problems = configProblems(text)
        let summary = problems.map { "\($0.line.map(String.init) ?? "-") \($0.keyPath)" }
        XCTAssertEqual(summary, [
            "3 mcpServers.time.command",
            "4 mcpServers.time.args[1]",
            "5 mcpServers.time.startup",
            "6 mcpServers.time.tools.denny",
            "6 mcpServers.time.tools.allow[0]",
            "7 mcpServers[\"bad name\"]",
            "10 mcpServers.remote.url",
            "11 mcpServers.nothing",
            "13 proxy.separater",
            "14 proxy.limits.maxMessageBytes",
            "14 proxy.limits.requestTimeoutSeconds",
            "15 proxy.logging.level",
            "17 proxy.routes[0].action",
            "18 proxy.routes[1].to",
        ])
        XCTAssertEqual(problems.at("mcpServers.time.command").first?.message,
                       "expected a program to run, e.g. python3 or /usr/local/bin/server, found an empty string")
        XCTAssertEqual(problems.at("mcpServers.time.args[1]").first?.message, "expected a string, found a mapping")
        XCTAssertEqual(problems.at("mcpServers.time.startup").first?.message, "expected one of eager, lazy, found \"sometimes\"")
        XCTAssertTrue(problems.at("mcpServers.time.tools.denny").first?.message.contains("did you mean 'deny'?") ?? false)
        XCTAssertTrue(problems.at("mcpServers.time.tools.allow[0]").first?.message.contains("never closed with ']'") ?? false)
        XCTAssertTrue(problems.at("mcpServers[\"bad name\"]").first?.message.contains("letters A-Z a-z, digits, '_', '.' and '-'") ?? false)
        XCTAssertEqual(problems.at("mcpServers.remote.url").first?.message, "the URL scheme must be http, https, ws or wss, found 'ftp'")
        XCTAssertTrue(problems.at("mcpServers.nothing").first?.message.contains("needs a 'command' (to start a local server) or a 'url'") ?? false)
        XCTAssertTrue(problems.at("proxy.separater").first?.message.contains("did you mean 'separator' under proxy.namespacing?") ?? false,
                      "separator is not a key of proxy itself, so the hint names where it belongs")
        XCTAssertEqual(problems.at("proxy.limits.maxMessageBytes").first?.message, "must be greater than 0, found 0")
        XCTAssertEqual(problems.at("proxy.limits.requestTimeoutSeconds").first?.message, "must be greater than 0 seconds, found -1.0")
        XCTAssertEqual(problems.at("proxy.logging.level").first?.message,
                       "expected one of trace, debug, info, notice, warning, error, critical, found \"loud\"")
        XCTAssertEqual(problems.at("proxy.routes[0].action").first?.message, "expected one of allow, deny, route, found \"explode\"")
        XCTAssertTrue(problems.at("proxy.routes[1].to").first?.message.hasPrefix("no server named 'missing' under mcpServers") ?? false)
    }

    func testDescriptionFormat() {
        let problems = configProblems("mcpServers:\n  time:\n    command: python3\n    args: [\"-m\", [1]]\n")
        XCTAssertEqual(problems.map(\.description), ["test.yaml:4: mcpServers.time.args[1]: expected a string, found a list"])
        XCTAssertEqual(ConfigError(problems: problems + problems).description.split(separator: "\n").count, 2)
    }

    func testNoServersAtAll() {
        XCTAssertEqual(configProblems("proxy: { name: x }").map(\.keyPath), ["mcpServers"])
        XCTAssertEqual(configProblems("mcpServers: {}").first?.message.hasPrefix("no servers"), true)
        XCTAssertEqual(configProblems("{}").map(\.keyPath), ["mcpServers"])
        XCTAssertEqual(configProblems("").first?.message, "the document is empty; add an mcpServers mapping with at least one server")
        XCTAssertEqual(configProblems("- a\n- b\n").first?.message, "expected a mapping with an mcpServers key at the top level, found a list")
    }

    func testMisspeltServersSectionGetsAHint() {
        let problems = configProblems("mcpservers:\n  time: { command: python3 }\n")
        XCTAssertEqual(problems.count, 1)
        XCTAssertEqual(problems.first?.line, 1)
        XCTAssertTrue(problems.first?.message.contains("found 'mcpservers'; did you mean 'mcpServers'?") ?? false)
    }

    func testEveryServerDisabledIsAProblem() {
        let problems = configProblems("mcpServers:\n  a: { command: x, disabled: true }\n")
        XCTAssertEqual(problems.map(\.message), ["every server is disabled; enable at least one (remove disabled: true)"])
    }

    func testBadTypesEverywhere() {
        let text = """
            mcpServers:
              s:
                command: [python3]
                args: "-m x"
                env: { A: [1], "B=C": x }
                cwd: {}
                inheritEnvironment: maybe
                namespace: [x]
                separator: ""
                tools: ["a"]
            proxy:
              name: {}
              namespacing: { maxNameLength: 1.5, rewriteResourceURIs: "no", collision: last-wins }
              upstreams: { restart: 1, initializeTimeoutSeconds: "soon", shutdownGraceSeconds: -2, startup: [] }
              pagination: { pageSize: -1 }
              stats: []
              routes: { action: deny }
            """
        let problems = configProblems(text)
        XCTAssertEqual(Set(problems.map(\.keyPath)), [
            "mcpServers.s.command", "mcpServers.s.args", "mcpServers.s.env.A", "mcpServers.s.env[\"B=C\"]", "mcpServers.s.cwd",
            "mcpServers.s.inheritEnvironment", "mcpServers.s.namespace", "mcpServers.s.separator", "mcpServers.s.tools",
            "proxy.name", "proxy.namespacing.maxNameLength", "proxy.namespacing.rewriteResourceURIs", "proxy.namespacing.collision",
            "proxy.upstreams.restart", "proxy.upstreams.initializeTimeoutSeconds", "proxy.upstreams.shutdownGraceSeconds",
            "proxy.upstreams.startup", "proxy.pagination.pageSize", "proxy.stats", "proxy.routes",
        ])
        XCTAssertEqual(problems.count, 20)
        XCTAssertEqual(problems.at("mcpServers.s.args").first?.message, "expected a list of strings, found the string \"-m x\"")
        XCTAssertEqual(problems.at("mcpServers.s.inheritEnvironment").first?.message, "expected true or false, found the string \"maybe\"")
        XCTAssertEqual(problems.at("proxy.namespacing.maxNameLength").first?.message, "expected a whole number, found the number 1.5")
        XCTAssertEqual(problems.at("proxy.namespacing.collision").first?.message, "expected one of first-wins, suffix, found \"last-wins\"")
        XCTAssertEqual(problems.at("proxy.upstreams.shutdownGraceSeconds").first?.message, "must be 0 or more seconds, found -2.0")
        XCTAssertEqual(problems.at("proxy.pagination.pageSize").first?.message, "must be at least 0, found -1")
        XCTAssertEqual(problems.at("mcpServers.s.env[\"B=C\"]").first?.message, "an environment variable name must not contain '='")
    }

    func testUnknownKeysInProxyAndServersAreProblemsWithSuggestions() {
        let text = """
            mcpServers:
              s:
                comand: x
                environment: { A: b }
            proxy:
              namspacing: {}
              logLevel: debug
              limits: { maxMesageBytes: 10 }
            """
        let problems = configProblems(text)
        XCTAssertEqual(problems.map(\.keyPath), ["mcpServers.s", "mcpServers.s.comand", "mcpServers.s.environment",
                                                 "proxy.namspacing", "proxy.logLevel", "proxy.limits.maxMesageBytes"])
        XCTAssertTrue(problems[1].message.contains("did you mean 'command'?"))
        XCTAssertTrue(problems[2].message.contains("write it as env"))
        XCTAssertTrue(problems[3].message.contains("did you mean 'namespacing'?"))
        XCTAssertTrue(problems[4].message.contains("write it as proxy.logging.level"))
        XCTAssertTrue(problems[5].message.contains("did you mean 'maxMessageBytes'?"))
    }

    func testMisplacedProxyKeyNamesItsSection() {
        let problems = configProblems("mcpServers: { s: { command: x } }\nproxy: { separator: '.', requestTimeoutSeconds: 5 }\n")
        XCTAssertEqual(problems.map(\.message), [
            "unknown key in proxy; it belongs under proxy.namespacing",
            "unknown key in proxy; it belongs under proxy.limits",
        ])
        XCTAssertEqual(configProblems("mcpServers: { s: { command: x } }\nproxy: { banana: 1 }").first?.message,
                       "unknown key in proxy (allowed: \(ProxySectionParser.topKeys.joined(separator: ", ")))")
    }

    func testDesktopClientServerKeysAreToleratedWithWarnings() throws {
        let text = """
            {"mcpServers": {"s": {"command": "x", "type": "stdio", "autoApprove": ["a"], "alwaysAllow": [],
              "timeout": 60, "transportType": "stdio", "description": "d", "disabled": false}}}
            """
        let config = try XCTUnwrap(loadConfig(text))
        XCTAssertEqual(config.servers.map(\.name), ["s"])
        XCTAssertEqual(config.warnings.count, 4)
        XCTAssertTrue(config.warnings.contains { $0.hasPrefix("test.yaml:1: mcpServers.s.autoApprove: ignored") })
        XCTAssertTrue(config.warnings.contains { $0.hasPrefix("test.yaml:2: mcpServers.s.timeout: ignored") })
    }

    func testDuplicateServerNamesInJSONAndYAML() {
        let json = """
            {"mcpServers": {
              "time": {"command": "a"},
              "git": {"command": "b"},
              "time": {"command": "c", "args": 5}
            }}
            """
        let problems = configProblems(json)
        XCTAssertEqual(problems.map(\.keyPath), ["mcpServers.time", "mcpServers.time.args"],
                       "the duplicate and the problems of the surviving entry are all reported")
        XCTAssertEqual(problems.first?.message, "defined 2 times in the same mapping (lines 2, 4); keep only one")
        XCTAssertEqual(problems.first?.line, 2)

        let yaml = """
            mcpServers:
              a: { command: x }
              a: { command: y }
              b: { command: z, args: [p, p], env: { K: 1, K: 2 } }
              a: { command: w }
            proxy:
              name: one
              name: two
            """
        let yamlProblems = configProblems(yaml)
        XCTAssertEqual(yamlProblems.map(\.description), [
            "test.yaml:2: mcpServers.a: defined 3 times in the same mapping (lines 2, 3, 5); keep only one",
            "test.yaml:4: mcpServers.b.env.K: defined 2 times in the same mapping (lines 4, 4); keep only one",
            "test.yaml:7: proxy.name: defined 2 times in the same mapping (lines 7, 8); keep only one",
        ])
    }

    func testDuplicatesInIgnoredTopLevelKeysAreNotProblems() throws {
        let config = try XCTUnwrap(loadConfig("{\"other\": {\"k\": 1, \"k\": 2}, \"mcpServers\": {\"s\": {\"command\": \"x\"}}}"))
        XCTAssertEqual(config.servers.count, 1)
        XCTAssertEqual(config.warnings, ["test.yaml:1: other: ignored: not a proxy setting (the proxy reads mcpServers and proxy)"])
    }

    func testRouteChecks() {
        let text = """
            mcpServers:
              alpha: { command: a }
              off: { command: b, disabled: true }
            proxy:
              routes:
                - { method: "tools/call", name: "alpha__*", action: deny }
                - { action: route, to: alpa }
                - { action: route, to: "off" }
                - { action: route }
                - { action: deny, to: alpha }
                - { method: "tools/[call", action: allow }
                - { upstream: "[", action: allow }
                - { name: "x", action: allow, via: y }
                - "deny everything"
            """
        let problems = configProblems(text)
        XCTAssertEqual(problems.map(\.keyPath), [
            "proxy.routes[1].to", "proxy.routes[2].to", "proxy.routes[3].to", "proxy.routes[4].to",
            "proxy.routes[5].method", "proxy.routes[6].upstream", "proxy.routes[7].via", "proxy.routes[8]",
        ])
        XCTAssertEqual(problems[0].message, "no server named 'alpa' under mcpServers; did you mean 'alpha'? (servers: alpha)")
        XCTAssertEqual(problems[1].message, "server 'off' is disabled; enable it or route to another server")
        XCTAssertTrue(problems[2].message.contains("action: route needs 'to: <server name>'"))
        XCTAssertTrue(problems[3].message.hasPrefix("only used with action: route"))
    }

    func testRouteActionIsRequired() {
        let problems = configProblems("mcpServers: { a: { command: x } }\nproxy: { routes: [ { method: '*' } ] }\n")
        XCTAssertEqual(problems.map(\.keyPath), ["proxy.routes[0].action"])
        XCTAssertEqual(problems.first?.line, 2)
    }

    func testTransportShapeProblems() {
        let text = """
            mcpServers:
              both: { command: x, url: "https://h/mcp" }
              relative: { url: "/mcp" }
              wsMismatch: { url: "https://h/mcp", type: ws }
              httpMismatch: { url: "wss://h/mcp", type: sse }
              stdioWithUrl: { url: "https://h/mcp", type: stdio }
              remoteWithCommand: { command: x, type: http }
              argsOnRemote: { url: "https://h/mcp", args: [a] }
              headersOnStdio: { command: x, headers: { A: b } }
              badType: { command: x, type: carrier-pigeon }
              twoDirs: { command: x, cwd: /a, workingDirectory: /b }
              badHeader: { url: "https://h/mcp", headers: { "Bad Header": x } }
            """
        let problems = configProblems(text)
        XCTAssertEqual(problems.map(\.keyPath), [
            "mcpServers.both", "mcpServers.relative.url", "mcpServers.wsMismatch.url", "mcpServers.httpMismatch.url",
            "mcpServers.stdioWithUrl.type", "mcpServers.remoteWithCommand.type", "mcpServers.argsOnRemote.args",
            "mcpServers.headersOnStdio.headers", "mcpServers.badType.type", "mcpServers.twoDirs.workingDirectory",
            "mcpServers.badHeader.headers[\"Bad Header\"]",
        ])
        XCTAssertEqual(problems[0].message, "has both command and url; a server is either a local command or a remote URL, keep one")
        XCTAssertTrue(problems[8].message.hasPrefix("expected one of stdio, http, streamable-http, streamableHttp, sse, ws, websocket"))
    }

    func testRemoteKindIsDeclaredOrInferred() throws {
        let text = """
            mcpServers:
              plain: { url: "https://h/mcp" }
              legacy: { url: "http://h:8080/sse" }
              socket: { url: "wss://h/mcp" }
              declared: { url: "https://h/events", type: sse }
              cline: { url: "https://h/x", transportType: sse }
              windsurf: { serverUrl: "https://h/mcp" }
            """
        let config = try XCTUnwrap(loadConfig(text))
        let kinds = config.servers.map { server -> RemoteKind? in
            if case let .remote(_, kind, _) = server.transport { return kind }
            return nil
        }
        XCTAssertEqual(kinds, [.streamableHTTP, .sse, .webSocket, .sse, .sse, .streamableHTTP])
    }

    func testNamespaceForms() throws {
        let text = """
            mcpServers:
              a: { command: x }
              b: { command: x, namespace: false }
              c: { command: x, namespace: "" }
              d: { command: x, namespace: true }
              e: { command: x, namespace: tools.e, separator: "-" }
              f: { command: x, namespace: ~ }
            proxy: { namespacing: { separator: "." } }
            """
        let config = try XCTUnwrap(loadConfig(text))
        XCTAssertEqual(config.servers.map(\.namespace), ["a", nil, nil, "d", "tools.e", "f"])
        XCTAssertEqual(config.servers.map(\.separator), [".", ".", ".", ".", "-", "."])
        XCTAssertEqual(config.servers[4].exposedName(for: "run"), "tools.e-run")

        let problems = configProblems("mcpServers: { a: { command: x, namespace: 'my tools', separator: '::' } }")
        XCTAssertEqual(problems.map(\.keyPath), ["mcpServers.a.namespace", "mcpServers.a.separator"])
    }

    func testStartupDefaultsFromProxySection() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x }, b: { command: y, startup: eager } }\nproxy: { upstreams: { startup: lazy } }"))
        XCTAssertEqual(config.servers.map(\.startup), [.lazy, .eager])
        XCTAssertEqual(config.proxy.startup, .lazy)
    }

    func testSyntaxErrorsReportTheLine() {
        let problems = configProblems("mcpServers:\n  a: { command: x\n  b: 1\n")
        XCTAssertEqual(problems.count, 1)
        XCTAssertNotNil(problems.first?.line)
        XCTAssertTrue(problems.first?.message.hasPrefix("syntax error:") ?? false)

        let twoDocuments = configProblems("mcpServers: { a: { command: x } }\n---\nproxy: {}\n")
        XCTAssertTrue(twoDocuments.first?.message.contains("remove the extra '---'") ?? false)
    }

    func testMergeKeysShareSettings() throws {
        let text = """
            x-defaults: &defaults
              command: python3
              env: { TZ: UTC }
            mcpServers:
              a:
                <<: *defaults
                args: [a]
              b:
                <<: *defaults
                command: python3.12
            """
        let config = try XCTUnwrap(loadConfig(text))
        XCTAssertEqual(config.servers.map(\.transport), [
            .stdio(command: "python3", arguments: ["a"], environment: ["TZ": "UTC"], inheritEnvironment: true, workingDirectory: nil),
            .stdio(command: "python3.12", arguments: [], environment: ["TZ": "UTC"], inheritEnvironment: true, workingDirectory: nil),
        ])
        XCTAssertEqual(config.warnings.count, 1, "x-defaults is an ignored top-level key")
    }

    func testEmptyAllowListWarns() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x, prompts: { allow: [] } } }"))
        XCTAssertEqual(config.servers.first?.prompts, FilterConfig(allow: [], deny: []))
        XCTAssertEqual(config.warnings.count, 1)
        XCTAssertTrue(config.warnings[0].contains("mcpServers.a.prompts.allow: an empty allow list hides every one"))
    }

    func testNumbersAndBooleansAsStrings() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x, args: [--port, 8080, yes, 1.5], env: { DEBUG: true } } }\nproxy: { version: 1.0 }"))
        XCTAssertEqual(config.servers.first?.transport, .stdio(command: "x", arguments: ["--port", "8080", "yes", "1.5"], environment: ["DEBUG": "true"],
                                                               inheritEnvironment: true, workingDirectory: nil))
        XCTAssertEqual(config.proxy.version, "1.0")
    }
}
