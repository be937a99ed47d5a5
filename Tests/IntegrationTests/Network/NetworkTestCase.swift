import Foundation
import XCTest

/// Base class for the network tests: owns the background processes, clients and directories a
/// test starts, and stops them afterwards.
class NetworkTestCase: XCTestCase {
    private var processes: [BackgroundProcess] = []
    private var clients: [NetworkTestClient] = []
    private var directories: [TemporaryDirectory] = []

    override func tearDown() async throws {
        for client in clients { await client.close() }
        clients.removeAll()
        for process in processes.reversed() { await process.stop() }
        processes.removeAll()
        for directory in directories { directory.remove() }
        directories.removeAll()
        try await super.tearDown()
    }

    func makeDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        directories.append(directory)
        return directory
    }

    func startExample(_ name: String, idleTimeout: Double? = nil, in directory: TemporaryDirectory) async throws -> ExampleHTTPServer {
        let server = try await ExampleHTTPServer.start(name: name, idleTimeout: idleTimeout, directory: directory)
        processes.append(server.process)
        return server
    }

    func startServe(_ config: String, in directory: TemporaryDirectory, label: String = "serve") async throws -> ServeProcess {
        do {
            let serve = try await ServeProcess.start(config: config, directory: directory, label: label)
            processes.append(serve.process)
            return serve
        } catch {
            throw error
        }
    }

    /// Registers a client for cleanup and completes its handshake.
    func connect(_ client: NetworkTestClient) async throws -> NetworkTestClient {
        clients.append(client)
        try await client.initialize()
        return client
    }
}
