import Foundation
import MCPTransports

// example-server: a real MCP server over stdio, built on the proxy's own JSONRPC and
// MCPTransports modules. It serves the tests and the benchmarks.
//
//   example-server [--name NAME] [--page-size N]
//
// --name       server name (tools, resources and messages mention it); default "example"
// --page-size  page size for its own lists (exercises the proxy's cursor handling); 0 = one page

var name = "example"
var pageSize = 0
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--name":
        name = arguments.next() ?? name
    case "--page-size":
        pageSize = Int(arguments.next() ?? "") ?? 0
    case "--help", "-h":
        FileHandle.standardError.write(Data("usage: example-server [--name NAME] [--page-size N]\n".utf8))
        exit(0)
    default:
        FileHandle.standardError.write(Data("example-server: unknown argument '\(argument)'\n".utf8))
        exit(2)
    }
}

let server = ExampleServer(name: name, pageSize: pageSize, transport: StandardIOTransport())
do {
    try await server.run()
} catch {
    FileHandle.standardError.write(Data("example-server: \(error)\n".utf8))
    exit(1)
}
