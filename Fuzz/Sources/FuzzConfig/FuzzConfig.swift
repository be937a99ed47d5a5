import MCPConfig

// libFuzzer entry point for the configuration loader. The input is the text of a configuration
// file; the loader detects YAML or JSON by itself (JSON goes through the same YAML parser after
// its own normalisation), so one entry point covers both, and the seed corpus holds both.
// Invalid UTF-8 is dropped, as ConfigLoader.load(path:) refuses it before parsing.
//
// Invariants (see Fuzz/README.md): the loader never traps and never hangs; it either returns a
// configuration or throws a ConfigError with at least one problem, each with a message and a
// positive line when it has one; loading the same text twice gives the same answer (checked on
// every 8th input; nothing depends on the process environment: `${VAR}` is looked up in a fixed
// dictionary).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else {
        return -1  // not UTF-8: keep it out of the corpus
    }
    ConfigHarness.run(text)
    return 0
}

enum ConfigHarness {
    /// The only environment `${VAR}` sees: set, empty, and with characters that need quoting.
    static let environment: [String: String] = [
        "HOME": "/home/fuzz",
        "TOKEN": "s3cr3t",
        "EMPTY": "",
        "PORT": "8080",
        "QUOTED": "a \"b\" 'c' ${TOKEN} $$ \\ \n: #",
        "UPSTREAM_URL": "https://upstream.example.com/mcp",
    ]

    static func run(_ text: String) {
        let first = load(text)
        switch first {
        case .success(let config):
            for server in config.servers {
                check(!server.name.isEmpty, "a server without a name was accepted")
            }
        case .failure(let error):
            check(!error.problems.isEmpty, "a ConfigError without problems")
            for problem in error.problems {
                check(!problem.message.isEmpty, "a problem without a message: \(problem)")
                if let line = problem.line {
                    check(line >= 1, "a problem at line \(line): \(problem)")
                }
                _ = problem.description
            }
        }
        // Determinism: a second load of every 8th input (by length) must give the same answer. An
        // answer that depends on the environment or on global state shows on any input, so a
        // sample finds it at an eighth of the cost.
        if text.utf8.count % 8 == 0 {
            let second = load(text)
            check(first == second, "loading the same text twice gave different answers:\n\(first)\n---\n\(second)")
        }
    }

    static func load(_ text: String) -> Result<ProxyConfig, ConfigError> {
        do throws(ConfigError) {
            return .success(try ConfigLoader.load(text: text, sourceName: "fuzz.yaml", environment: environment))
        } catch {
            return .failure(error)
        }
    }

    @inline(__always)
    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("FuzzConfig invariant violated: \(message())") }
    }
}
