import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to Redis, speaking RESP3 (`HELLO 3`). Any number of tasks may send on it at
/// once: commands are pipelined and replies matched in order. It does not reconnect; a
/// ``RedisConnectionPool`` or ``RedisPubSubClient`` holds connections and replaces lost ones.
public final class RedisConnection: RedisCommandExecutor, Sendable {
    /// The server this connection talks to (password redacted in its description).
    public let url: RedisURL
    private let channel: any Channel
    private let handler: NIOLoopBound<RedisConnectionHandler>
    private let commandTimeout: TimeAmount?

    private init(url: RedisURL, channel: any Channel, handler: NIOLoopBound<RedisConnectionHandler>, commandTimeout: TimeAmount?) {
        self.url = url
        self.channel = channel
        self.handler = handler
        self.commandTimeout = commandTimeout
    }

    /// Connects, says `HELLO 3` (with `AUTH` when the URL has a password, and `SETNAME` when the
    /// configuration names the client) and selects the URL's database.
    ///
    /// - Parameters:
    ///   - onPush: called on the connection's event loop with every push message (pub/sub
    ///     messages and subscription confirmations); it must not block.
    /// - Throws: ``RedisError/connectionFailed(_:)`` naming the server and the cause.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoop: any EventLoop,
        logger: Logger = Logger(label: "mcp-proxy.redis"),
        onPush: (@Sendable (RESPValue) -> Void)? = nil
    ) async throws(RedisError) -> RedisConnection {
        let url = configuration.url
        let sslContext: NIOSSLContext?
        if url.tls {
            do {
                sslContext = try NIOSSLContext(configuration: configuration.tls ?? .makeClientConfiguration())
            } catch {
                throw .connectionFailed("\(url): cannot set up TLS: \(error)")
            }
        } else {
            sslContext = nil
        }
        let limits = configuration.limits
        let serverHostname = Self.isIPAddress(url.host) ? nil : url.host
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        try sync.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    try sync.addHandler(ByteToMessageHandler(RESPDecoder(limits: limits)))
                    try sync.addHandler(RedisConnectionHandler(onPush: onPush))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            throw .connectionFailed("\(url): \(error)")
        }
        let handler: NIOLoopBound<RedisConnectionHandler>
        do {
            handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RedisConnectionHandler.self), eventLoop: channel.eventLoop)
            }.get()
        } catch {
            channel.close(promise: nil)
            throw .connectionFailed("\(url): \(error)")
        }
        let connection = RedisConnection(url: url, channel: channel, handler: handler, commandTimeout: TimeAmount(configuration.connectTimeout))
        do {
            try await connection.handshake(configuration: configuration)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        logger.debug("connected to Redis", metadata: ["redis.url": "\(url)"])
        return RedisConnection(url: url, channel: channel, handler: handler, commandTimeout: configuration.commandTimeout.map { TimeAmount($0) })
    }

    private func handshake(configuration: RedisConfiguration) async throws(RedisError) {
        var hello: [RedisArgument] = ["3"]
        if let password = self.url.password {
            hello += ["AUTH", .string(self.url.user ?? "default"), .string(password)]
        }
        if let name = configuration.clientName {
            hello += ["SETNAME", .string(name)]
        }
        do {
            _ = try await self.send(RedisCommand("HELLO", hello))
            if self.url.database != 0 {
                _ = try await self.send(RedisCommand("SELECT", [.integer(Int64(self.url.database))]))
            }
        } catch {
            switch error {
            case .serverError(let message) where message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") || message.hasPrefix("NOPERM"):
                throw .connectionFailed("\(self.url): authentication failed (\(message)); put the right user and password in the URL: redis://user:password@host:port")
            case .serverError(let message) where message.lowercased().contains("unknown command"):
                throw .connectionFailed("\(self.url): the server does not know HELLO (\(message)); Redis 6 or newer is required")
            case .serverError(let message):
                throw .connectionFailed("\(self.url): the handshake failed: \(message)")
            case .timeout:
                throw .connectionFailed("\(self.url): no answer to HELLO within \(configuration.connectTimeout)")
            default:
                throw .connectionFailed("\(self.url): the handshake failed: \(error)")
            }
        }
    }

    /// Whether the connection is still open.
    public var isActive: Bool { self.channel.isActive }

    /// Completes when the connection has closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    /// Closes the connection; pending commands fail with ``RedisError/connectionClosed``.
    public func close() async {
        try? await self.channel.close()
    }

    /// Sends one command; see ``RedisCommandExecutor/send(_:)``.
    public func send(_ command: RedisCommand) async throws(RedisError) -> RESPValue {
        try throwingServerErrors(try await Self.value(of: self.sendFuture(command)))
    }

    /// Sends several commands in one write; see ``RedisCommandExecutor/pipeline(_:)``.
    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        var bytes = self.channel.allocator.buffer(capacity: commands.reduce(0) { $0 + $1.estimatedEncodedLength })
        var replies: [(promise: EventLoopPromise<RESPValue>, command: String, pushConfirmations: Int)] = []
        replies.reserveCapacity(commands.count)
        for command in commands {
            command.encode(into: &bytes)
            replies.append((self.channel.eventLoop.makePromise(of: RESPValue.self), command.name, 0))
        }
        let handler = self.handler
        let timeout = self.commandTimeout
        let bytesToSend = bytes
        let queued = replies
        self.onLoop {
            handler.value.enqueue(bytesToSend, replies: queued, timeout: timeout)
        }
        var values: [RESPValue] = []
        values.reserveCapacity(replies.count)
        for reply in replies {
            values.append(try await Self.value(of: reply.promise.futureResult))
        }
        return values
    }

    /// Writes a command and returns the future of its reply (error replies are values here).
    /// `pushConfirmations` > 0 makes the reply the last of that many subscription confirmations.
    func sendFuture(_ command: RedisCommand, pushConfirmations: Int = 0) -> EventLoopFuture<RESPValue> {
        var bytes = self.channel.allocator.buffer(capacity: command.estimatedEncodedLength)
        command.encode(into: &bytes)
        let promise = self.channel.eventLoop.makePromise(of: RESPValue.self)
        let handler = self.handler
        let timeout = self.commandTimeout
        let name = command.name
        let encoded = bytes
        self.onLoop {
            handler.value.enqueue(encoded, promise: promise, command: name, pushConfirmations: pushConfirmations, timeout: timeout)
        }
        return promise.futureResult
    }

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if self.channel.eventLoop.inEventLoop {
            body()
        } else {
            self.channel.eventLoop.execute(body)
        }
    }

    static func value<T: Sendable>(of future: EventLoopFuture<T>) async throws(RedisError) -> T {
        do {
            return try await future.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw .connectionClosed
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }
}
