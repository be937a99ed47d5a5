// custom-proxy: a proxy assembled in code from the modules, no config file.
//
// It fronts two example servers, hides one tool with a route rule, keeps the first name on a
// collision, runs a pipeline of its own (an audit log of tool calls, then an authorizer that
// lets the `support` team call only alpha's echo), and serves over its own stdin/stdout:
//
//   swift build && .build/debug/custom-proxy
//
// or as a Streamable HTTP gateway that authenticates with its own team tokens:
//
//   .build/debug/custom-proxy --http 8090
//   curl -s http://127.0.0.1:8090/mcp -H 'Authorization: Bearer support-token' ...
//
// example-server is looked up next to this binary.
import Foundation
import JSONRPC
import Logging
import MCPProxy
import MCPRouting
import MCPSecurity
import MCPStats
import MCPTransports

LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
let logger = Logger(label: "custom-proxy")

let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let exampleServer = directory + "/example-server"
let httpPort = CommandLine.arguments.firstIndex(of: "--http").flatMap { index in
    index + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[index + 1]) : nil
}

do {
    let upstreams: [UpstreamDefinition] = [
        .stdio(name: "alpha", configuration: StdioProcessConfiguration(command: exampleServer, arguments: ["--name", "alpha"]), logger: logger),
        .stdio(name: "beta", configuration: StdioProcessConfiguration(command: exampleServer, arguments: ["--name", "beta"]),
               namespace: .prefix("b", separator: "."), logger: logger),
    ]
    let options = ProxyOptions(
        serverName: "custom-proxy",
        instructions: "A proxy built in code.",
        requestTimeout: .seconds(60),
        collisionPolicy: .firstWins,
        routes: try RouteTable(rules: [
            RouteRule(method: "tools/call", name: "*crash", action: .deny),
        ]))
    // The support team may call alpha's echo only; everyone else (the local user, other teams) anything.
    let rules = try RuleAuthorizer(rules: [
        AuthorizationRule(roles: ["support"], tools: .init(allow: ["alpha__echo"])),
    ], default: .allow)
    let stats = StatsRegistry(significantDigits: 2)
    let proxy = MCPProxy(upstreams: upstreams, options: options, stats: stats, visibility: rules, logger: logger) {
        AuditLog(logger: logger)
        AuthorizationMiddleware<ProxyRequestContext>(authorizer: rules)
    }
    if let httpPort {
        var front = HTTPFrontConfiguration(endpoints: [HTTPEndpoint(path: "/mcp", kind: .streamableHTTP, service: "*")])
        front.port = httpPort
        let teams = TeamTokenAuthenticator(teams: ["support-token": "support", "platform-token": "platform"])
        front.admission = SecurityAdmission(
            authenticator: AuthenticatorChain([teams], required: true),
            resourceMetadataURL: nil, preAuthLimit: PreAuthLimiter())
        let server = HTTPFrontServer(configuration: front, logger: logger)
        let bound = try await server.start { session in
            Task { try? await proxy.serve(session.transport) }
        }
        logger.notice("custom-proxy serving http://\(bound.host):\(bound.port)/mcp; Ctrl-C stops it")
        while true { try await Task.sleep(for: .seconds(3600)) }
    } else {
        try await proxy.serve(StandardIOTransport(), principal: Principal(subject: "local", method: .stdio))
        FileHandle.standardError.write(Data((stats.jsonText() + "\n").utf8))
    }
} catch {
    logger.critical("custom-proxy failed: \(error)")
    exit(1)
}
