#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// fast-upstream: an MCP server that answers at once, for load tests of the proxy.
//
//   fast-upstream                     serve MCP on stdin/stdout (newline-delimited JSON-RPC)
//   fast-upstream --http PORT         serve Streamable HTTP on 127.0.0.1:PORT (0 picks a port)
//     [--host ADDR] [--threads N]
//
// It answers initialize, ping, tools/list (one tool: echo) and tools/call of echo (the
// arguments come back as text). Notifications are ignored; other methods get -32601.

let usage = """
    usage: fast-upstream                          MCP over stdio
           fast-upstream --http PORT [--host ADDR] [--threads N]
                                                  MCP over Streamable HTTP (POST any path)

    """

var httpPort: Int?
var host = "127.0.0.1"
var threads = 1
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--http":
        guard let value = arguments.next().flatMap({ Int($0) }), (0...65535).contains(value) else {
            StandardError.print("fast-upstream: --http needs a port number (0-65535)\n" + usage)
            exit(2)
        }
        httpPort = value
    case "--host":
        guard let value = arguments.next() else {
            StandardError.print("fast-upstream: --host needs an address\n" + usage)
            exit(2)
        }
        host = value
    case "--threads":
        guard let value = arguments.next().flatMap({ Int($0) }), value > 0 else {
            StandardError.print("fast-upstream: --threads needs a positive number\n" + usage)
            exit(2)
        }
        threads = value
    case "--help", "-h":
        StandardError.print(usage)
        exit(0)
    default:
        StandardError.print("fast-upstream: unknown argument '\(argument)'\n" + usage)
        exit(2)
    }
}

if let httpPort {
    do {
        try await HTTPEchoServer(host: host, port: httpPort, threads: threads).run()
    } catch {
        StandardError.print("fast-upstream: cannot serve HTTP on \(host):\(httpPort): \(error). Pick a free port or pass 0.\n")
        exit(1)
    }
} else {
    signal(SIGPIPE, SIG_IGN)
    exit(StdioEchoLoop(maxLineBytes: 16 << 20).run() ? 0 : 1)
}
