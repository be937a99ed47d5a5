import Foundation
import MCPTransports

// example-server: a real MCP server over stdio, built on the proxy's own JSONRPC and
// MCPTransports modules. It serves the tests and the benchmarks.
//
//   example-server [--name NAME] [--page-size N]
//
// --name       server name (tools, resources and messages mention it); default "example"
// --page-size  page size for its own lists (exercises the proxy's cursor handling); 0 = one page
// --http HOST:PORT   serve over the network instead of stdio: Streamable HTTP at /mcp, legacy SSE at
//                    /sse (+ /messages), WebSocket at /ws; prints "listening on PORT" to stderr
// --idle-timeout S   with --http: sessions expire after S idle seconds (exercises re-initialization)
// --ignore-eof-and-sigterm   a stubborn upstream: ignores SIGTERM and keeps running after stdin
//                    closes (exercises the proxy's SIGKILL escalation and the parent-death signal)
// --report-inherited-fds DIR   at startup, write the descriptors it inherited to DIR/fds-<pid>.txt

var name = "example"
var pageSize = 0
var httpAddress: String?
var idleTimeout = 600.0
var stubborn = false
var fdReportDirectory: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--name":
        name = arguments.next() ?? name
    case "--page-size":
        pageSize = Int(arguments.next() ?? "") ?? 0
    case "--http":
        httpAddress = arguments.next()
    case "--idle-timeout":
        idleTimeout = Double(arguments.next() ?? "") ?? idleTimeout
    case "--ignore-eof-and-sigterm":
        stubborn = true
    case "--report-inherited-fds":
        fdReportDirectory = arguments.next()
    case "--help", "-h":
        FileHandle.standardError.write(Data("usage: example-server [--name NAME] [--page-size N] [--http HOST:PORT [--idle-timeout SECONDS]] [--ignore-eof-and-sigterm] [--report-inherited-fds DIR]\n".utf8))
        exit(0)
    default:
        FileHandle.standardError.write(Data("example-server: unknown argument '\(argument)'\n".utf8))
        exit(2)
    }
}

if let fdReportDirectory { InheritedDescriptors.report(to: fdReportDirectory) }

if let httpAddress {
    await NetworkMode.run(address: httpAddress, name: name, pageSize: pageSize, idleTimeout: idleTimeout)
} else {
    let server = ExampleServer(name: name, pageSize: pageSize, transport: StandardIOTransport())
    if stubborn { signal(SIGTERM, SIG_IGN) }
    do {
        try await server.run()
    } catch {
        FileHandle.standardError.write(Data("example-server: \(error)\n".utf8))
        exit(1)
    }
    while stubborn {
        try? await Task.sleep(for: .seconds(3600))
    }
}
