import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// mcp-bench: a load generator for MCP servers and proxies.
@main
struct MCPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp-bench",
        abstract: "Load generator for MCP servers and proxies over stdio or Streamable HTTP.",
        discussion: """
        Performs the real MCP handshake, then sends tools/call requests one at a time (latency) or \
        many at once (throughput), and prints one JSON line per run on stdout and a table on stderr.

        Examples:
          mcp-bench stdio -n 20000 -- .build/release/fast-upstream
          mcp-bench stdio -n 20000 --target proxy -- mcp-proxy --config fast.json
          mcp-bench http --url http://127.0.0.1:8080/mcp -c 64 -n 200000 --threads 1
          mcp-bench sessions --url http://127.0.0.1:8080/mcp --count 1000 --pid 1234 --hold 0
        """,
        subcommands: [StdioMode.self, HTTPMode.self, SessionsMode.self]
    )
}

/// Raises the open-file limit to its hard maximum (many sessions need many sockets).
func raiseOpenFileLimit() {
    #if canImport(Glibc)
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    let resource = RLIMIT_NOFILE
    #endif
    var limit = rlimit()
    guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(resource, &limit)
}
