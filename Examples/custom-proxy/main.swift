// custom-proxy: a proxy assembled in code from the modules, no config file.
//
// It fronts two example servers, hides one tool with a route rule, keeps the first name on a
// collision, and serves over its own stdin/stdout:
//
//   swift build && .build/debug/custom-proxy
//
// example-server is looked up next to this binary.
import Foundation
import Logging
import MCPProxy
import MCPRouting
import MCPStats
import MCPTransports

LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
let logger = Logger(label: "custom-proxy")

let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let exampleServer = directory + "/example-server"

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
    let stats = StatsRegistry(significantDigits: 2)
    let proxy = MCPProxy(upstreams: upstreams, options: options, stats: stats, logger: logger)
    try await proxy.serve(StandardIOTransport())
    FileHandle.standardError.write(Data((stats.jsonText() + "\n").utf8))
} catch {
    logger.critical("custom-proxy failed: \(error)")
    exit(1)
}
