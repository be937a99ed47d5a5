import Foundation
import Logging
import MCPTransports

/// Serves the example server over Streamable HTTP, legacy SSE and WebSocket: one ExampleServer
/// per session, on the project's own HTTP front.
enum NetworkMode {
    static func run(address: String, name: String, pageSize: Int, idleTimeout: Double, faults: FaultOptions = FaultOptions()) async {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let port = Int(parts[parts.count - 1]) else {
            FileHandle.standardError.write(Data("example-server: --http expects HOST:PORT\n".utf8))
            exit(2)
        }
        let host = parts.dropLast().joined(separator: ":")
        var networkFaults = faults
        networkFaults.network = true
        let sessionFaults = networkFaults
        // With --faults, a relay that can reset connections listens on the address instead, and
        // the server itself on a loopback port of its own.
        let relayed = faults.enabled
        var configuration = HTTPFrontConfiguration(
            endpoints: [
                HTTPEndpoint(path: "/mcp", kind: .streamableHTTP, service: name),
                HTTPEndpoint(path: "/sse", kind: .legacySSE(messagesPath: "/messages"), service: name),
                HTTPEndpoint(path: "/ws", kind: .webSocket, service: name),
            ],
            host: relayed || host.isEmpty ? "127.0.0.1" : host,
            port: relayed ? 0 : port)
        configuration.sessionIdleTimeout = .milliseconds(Int(idleTimeout * 1000))
        var logger = Logger(label: "example-server")
        logger.logLevel = .warning
        let server = HTTPFrontServer(configuration: configuration, logger: logger)
        do {
            let bound = try await server.start { session in
                let example = ExampleServer(name: name, pageSize: pageSize, transport: session.transport, faults: sessionFaults)
                Task { try? await example.run() }
            }
            let announced = relayed
                ? try FaultRelay.start(host: host.isEmpty ? "127.0.0.1" : host, port: port, innerPort: bound.port)
                : bound.port
            FileHandle.standardError.write(Data("example-server \(name): listening on \(announced)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("example-server: \(error)\n".utf8))
            exit(1)
        }
        // Serve until killed.
        while true {
            try? await Task.sleep(for: .seconds(3600))
        }
    }
}
