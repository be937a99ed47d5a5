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
//
// Fault injection (for the proxy's fault, pool and soak tests; off unless asked for, and then
// the defaults above are unchanged):
// --faults           adds the fault tools below to tools/list and serves them; with --http, a TCP
//                    relay listens on HOST:PORT in front of the server (which moves to a loopback
//                    port of its own) so that `reset` can reset connections. Over stdio, replies
//                    are written by a serial writer of its own (so `drip` is never interleaved).
//     hang                never answers the call (pings and other calls still are); cancellable
//     freeze              stops answering anything from now on, this call included (like --hang-after)
//     garbage             writes a line of non-JSON bytes (bytes, default 64), then answers
//                         "garbage sent" (answer: false: no answer)
//     huge_line           answers with one line of about `bytes` bytes (default 10 MiB = 10485760)
//     drip                writes its answer `chunk` bytes (default 8) at a time over `seconds`
//                         (default 2); over --http the answer is only late
//     http_status         over --http: the POST is answered with HTTP `status` (default 500; 503
//                         adds Retry-After: 1) and a JSON-RPC error body; over stdio: the error
//     reset               over --http: the relay resets (RST) the TCP connection carrying the call,
//                         before the call reaches the server; no answer
//     expire_session      over --http: answers, then forgets the session (the next request gets
//                         404, as after --idle-timeout); over stdio: an error
//     whoami              answers {"name": ..., "pid": ..., "session": n}: which process and
//                         which session of it served the call
//     touch               sends notifications/resources/updated for `uri` if this session subscribed
//     meta                answers the params._meta it received, as JSON text (trace propagation)
//     (crash, the server exiting with status 3 mid-call, is an ordinary tool and always there)
// --hang-after N     after N inbound messages (counted over the whole process) answers nothing
//                    more, pings included; keeps reading and stays alive
// --exit-at-start    exits with status 3 before reading anything
// --exit-at-start-while FILE   exits with status 3 at start while FILE exists (recovery tests
//                    remove FILE and expect the proxy's restart to succeed)
// --count-initialize FILE   appends "<pid> <name> session=<n> client=<clientInfo.name>
//                    capabilities=<the client capabilities declared, sorted, comma-separated>"
//                    to FILE for every initialize it receives
// --count-requests FILE     appends "<pid> session=<n> <method>" to FILE for every request it
//                    receives (health-check pings show up as "ping")
// --mutable-descriptions FILE   a rug pull: tool descriptions are overridden by FILE (a JSON
//                    object {"tool": "description"}, read at every tools/list, so it survives a
//                    restart), and the tool mutate_description (tool, default echo; description;
//                    reset) writes FILE and sends notifications/tools/list_changed
// --modern           serve protocol 2026-07-28 only (ExampleModernEra.swift): server/discover, the
//                    per-request _meta envelope, MRTR for sample/elicit/roots, subscriptions/listen;
//                    initialize gets -32022. With --http: POST only at /mcp (ExampleModernHTTP.swift)
// --tasks            2025-11-25 tasks in the handshake era (ExampleTasks.swift): a tools/call with
//                    params.task answers {"task":{...}} and runs in the background; tasks/get,
//                    tasks/result, tasks/cancel and tasks/list
// --dual-era         both eras: on stdio the first request decides (initialize → handshake era);
//                    with --http the MCP-Protocol-Version header decides per request

var name = "example"
var pageSize = 0
var httpAddress: String?
var idleTimeout = 600.0
var stubborn = false
var fdReportDirectory: String?
var faults = FaultOptions()
var exitAtStart = false
var exitAtStartWhile: String?
var modernMode: ModernEra.Mode?
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
    case "--faults":
        faults.enabled = true
    case "--hang-after":
        guard let count = Int(arguments.next() ?? ""), count >= 0 else {
            FileHandle.standardError.write(Data("example-server: --hang-after expects a number of messages\n".utf8))
            exit(2)
        }
        faults.hangAfter = count
    case "--exit-at-start":
        exitAtStart = true
    case "--exit-at-start-while":
        exitAtStartWhile = arguments.next()
    case "--count-initialize":
        faults.countInitializeFile = arguments.next()
    case "--count-requests":
        faults.countRequestsFile = arguments.next()
    case "--mutable-descriptions":
        faults.descriptionsFile = arguments.next()
    case "--tasks":
        ExampleTasks.enabled.withLockedValue { $0 = true }
    case "--modern":
        modernMode = .modernOnly
    case "--dual-era":
        modernMode = .dual
    case "--help", "-h":
        FileHandle.standardError.write(Data("""
            usage: example-server [--name NAME] [--page-size N] [--http HOST:PORT [--idle-timeout SECONDS]] [--ignore-eof-and-sigterm] [--report-inherited-fds DIR]
                                  [--faults] [--hang-after N] [--exit-at-start] [--exit-at-start-while FILE] [--count-initialize FILE]
                                  [--count-requests FILE] [--mutable-descriptions FILE] [--modern | --dual-era]
              --faults                     add the fault tools: hang, freeze, garbage, huge_line, drip, http_status,
                                           reset, expire_session, whoami, touch (with --http: behind a relay that can reset)
              --hang-after N               answer nothing after N inbound messages (pings included)
              --exit-at-start              exit with status 3 before reading anything
              --exit-at-start-while FILE   the same, while FILE exists
              --count-initialize FILE      append a line to FILE for every initialize received
              --count-requests FILE        append a line to FILE for every request received (method last)
              --mutable-descriptions FILE  tool descriptions overridden by FILE (JSON {"tool": "text"}), and the tool
                                           mutate_description (tool, description, reset) that writes FILE and sends
                                           tools/list_changed: a rug pull, for tool-definition pinning tests
              --modern                     serve protocol 2026-07-28 only (no initialize; MRTR; subscriptions/listen)
              --dual-era                   serve both the handshake era and 2026-07-28
              --tasks                      2025-11-25 tasks: tools/call with params.task, tasks/get|result|cancel|list
            See the header of Examples/example-server/main.swift for each tool.

            """.utf8))
        exit(0)
    default:
        FileHandle.standardError.write(Data("example-server: unknown argument '\(argument)'\n".utf8))
        exit(2)
    }
}

if let fdReportDirectory { InheritedDescriptors.report(to: fdReportDirectory) }

if exitAtStart || exitAtStartWhile.map({ FileManager.default.fileExists(atPath: $0) }) == true {
    FileHandle.standardError.write(Data("example-server \(name): exiting at start on purpose\n".utf8))
    exit(3)
}

if let httpAddress, let modernMode {
    await ModernHTTP.run(address: httpAddress, name: name, pageSize: pageSize, mode: modernMode, idleTimeout: idleTimeout, faults: faults)
} else if let httpAddress {
    await NetworkMode.run(address: httpAddress, name: name, pageSize: pageSize, idleTimeout: idleTimeout, faults: faults)
} else {
    let transport: any MessageTransport = faults.enabled ? FaultStdioTransport() : StandardIOTransport()
    let server = ExampleServer(name: name, pageSize: pageSize, transport: transport, faults: faults,
                               modern: modernMode.map { ModernEra(mode: $0) })
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
