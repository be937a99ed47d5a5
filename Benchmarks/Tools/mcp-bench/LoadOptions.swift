import ArgumentParser

/// Options shared by the load modes.
struct LoadOptions: ParsableArguments {
    @Option(help: "A label for the target in the output (default: the command's name or the URL).")
    var target: String?

    @Option(name: [.customShort("n"), .long], help: "Measured tools/call requests per run.")
    var requests = 10_000

    @Option(name: [.short, .long], help: "Requests in flight at once: 1 measures latency (one at a time); more measures throughput. Over stdio they share one session; over HTTP each has its own session and connection.")
    var concurrency = 1

    @Option(help: "Requests sent before the first run and not recorded.")
    var warmup = 1_000

    @Option(help: "Measured runs on the same connection(s); one JSON line each.")
    var runs = 1

    @Option(help: "Approximate size of each tools/call message in bytes.")
    var payload = 300

    @Option(help: "The tool to call (default: 'echo', else a tool ending in 'echo', else the first listed).")
    var tool: String?

    @Option(help: "The protocol version offered in initialize.")
    var protocolVersion = "2025-11-25"

    @Flag(help: "Print only the JSON lines (no table on stderr).")
    var quiet = false

    func validate() throws {
        guard requests > 0 else { throw ValidationError("--requests must be at least 1") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup cannot be negative") }
        guard runs > 0 else { throw ValidationError("--runs must be at least 1") }
        guard payload > 0 else { throw ValidationError("--payload must be positive") }
    }
}
