import Benchmark
import MCPRouting

/// Tool search (`discovery: search`): building the BM25 index (once per catalog change) and one
/// `search_tools` query, over a synthetic catalog of 1000 tools (50 servers of 20).
func toolSearchBenchmarks() {
    let catalog = SyntheticToolCatalog.documents(servers: 50, toolsPerServer: 20)
    Benchmark("Tool search: build the index over \(catalog.count) tools", configuration: BenchmarkSettings.perCall) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ToolSearchIndex(catalog))
        }
    }
    let index = ToolSearchIndex(catalog)
    Benchmark("Tool search: one query ('list recent commit history', limit 10) over \(catalog.count) tools", configuration: BenchmarkSettings.perOperation) { benchmark in
        guard !index.search("list recent commit history", limit: 10).isEmpty else {
            benchmark.error("the query matched nothing")
            return
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(index.search("list recent commit history", limit: 10))
        }
    }
}

/// A deterministic catalog that looks like many servers' tools: verb_noun names under a
/// namespace, a one-sentence description and two parameters each.
enum SyntheticToolCatalog {
    static let verbs = ["get", "list", "create", "update", "delete", "search", "show", "run", "send", "read"]
    static let nouns = ["commit", "branch", "issue", "ticket", "file", "user", "message", "page", "record", "job",
                        "invoice", "order", "event", "metric", "alert", "document", "folder", "channel", "build", "report"]

    static func documents(servers: Int, toolsPerServer: Int) -> [ToolSearchDocument] {
        var documents: [ToolSearchDocument] = []
        for server in 0..<servers {
            for tool in 0..<toolsPerServer {
                let verb = verbs[(server + tool) % verbs.count]
                let noun = nouns[(server * 7 + tool) % nouns.count]
                let other = nouns[(server + tool * 3) % nouns.count]
                documents.append(ToolSearchDocument(
                    name: "server\(server)__\(verb)_\(noun)",
                    description: "\(verb) a \(noun) of the \(other) service, with its history and owners",
                    parameters: "\(noun)_id The id of the \(noun) limit How many \(other)s to return at most"))
            }
        }
        return documents
    }
}
