import Benchmark
import MCPCluster

/// Sealed session ids (`proxy.cluster`): what a replica pays to open the id of a session it
/// does not hold (once per session and replica; later requests find the session in memory),
/// and to seal one on `initialize`.
func clusterBenchmarks() {
    let sealer: SessionSealer
    do {
        sealer = try SessionSealer(rawKeys: [[UInt8](repeating: 0x5A, count: 32)])
    } catch {
        return
    }
    let state = SealedSession(
        principalKey: "https://login.example.com|alice", subject: "alice", roles: ["support"],
        protocolVersion: "2025-11-25", clientCapabilities: Array(#"{"sampling":{},"elicitation":{"form":{}},"roots":{"listChanged":true}}"#.utf8),
        clientInfo: Array(#"{"name":"claude-desktop","version":"1.2.3"}"#.utf8), endpoint: "/mcp",
        createdAt: 1_800_000_000, expiresAt: 1_800_086_400)
    guard let id = try? sealer.seal(state) else { return }
    Benchmark("Sealed session id: unseal a \(id.utf8.count)-character id (ChaCha20-Poly1305, decode)", configuration: BenchmarkSettings.perOperation) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? sealer.unseal(id, now: 1_800_000_100))
        }
    }
    Benchmark("Sealed session id: seal a session's state", configuration: BenchmarkSettings.perOperation) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? sealer.seal(state))
        }
    }
}
