import Foundation
import MCPRedis
import NIOCore
import NIOPosix

/// A real `redis-server` on a free loopback port, with no persistence, in a temporary folder:
/// the one test helper for every test target that talks to Redis (MCPRedis, MCPCluster).
/// Tests that need one fail (never skip) when it is not installed.
public final class RedisServerProcess: @unchecked Sendable {
    /// The server's port on 127.0.0.1.
    public let port: Int
    /// The password it requires, if any.
    public let password: String?
    private let directory: URL
    private let executable: String
    private var process: Process?
    private let lock = NSLock()

    struct NotInstalled: Error, CustomStringConvertible {
        var description: String {
            "redis-server is not installed, and the MCPRedis tests need a real one: run Scripts/interop-setup.sh as root (it installs Debian's redis-server), or apt-get install -y redis-server"
        }
    }

    struct DidNotStart: Error, CustomStringConvertible {
        let log: String
        var description: String { "redis-server did not accept connections within 10 s; its log:\n\(self.log)" }
    }

    /// Starts a server; with `password`, it requires that password (`requirepass`).
    public static func start(password: String? = nil) async throws -> RedisServerProcess {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/redis-server" }
            + ["/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotInstalled()
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcpredis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = RedisServerProcess(port: try await Self.freePort(), password: password, directory: directory, executable: executable)
        try await server.launch()
        return server
    }

    private init(port: Int, password: String?, directory: URL, executable: String) {
        self.port = port
        self.password = password
        self.directory = directory
        self.executable = executable
    }

    /// The server's URL, with its password.
    public var url: String {
        if let password { return "redis://:\(password)@127.0.0.1:\(self.port)" }
        return "redis://127.0.0.1:\(self.port)"
    }

    /// A configuration for this server, with short timeouts for tests.
    public func configuration(poolSize: Int = 2, commandTimeout: Duration? = .seconds(5)) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: self.url)
        configuration.poolSize = poolSize
        configuration.commandTimeout = commandTimeout
        return configuration
    }

    /// Starts (or restarts) redis-server on the same port and waits until it answers.
    public func launch() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.executable)
        var arguments = [
            "--port", "\(self.port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", self.directory.path, "--logfile", self.directory.appendingPathComponent("redis.log").path,
            "--daemonize", "no", "--protected-mode", "no",
        ]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.lock.withLock { self.process = process }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if await Self.accepts(port: self.port) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        let log = (try? String(contentsOf: self.directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
        self.stop()
        throw DidNotStart(log: log)
    }

    /// Stops the server at once (SIGKILL, like a crash) and waits until it is gone.
    public func kill() {
        guard let process = self.lock.withLock({ self.process }) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.lock.withLock { self.process = nil }
    }

    /// Stops the server and removes its folder. SIGKILL, because the test process may hand its
    /// children a blocked SIGTERM, and there is nothing to save.
    public func stop() {
        self.kill()
        try? FileManager.default.removeItem(at: self.directory)
    }

    deinit {
        self.stop()
    }

    private static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    private static func accepts(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(200))
                .connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}

/// Runs `body` with a fresh server, stopping it afterwards whatever happens.
public func withRedisServer<T>(password: String? = nil, _ body: (RedisServerProcess) async throws -> T) async throws -> T {
    let server = try await RedisServerProcess.start(password: password)
    defer { server.stop() }
    return try await body(server)
}
