import Logging
import NIOCore

/// Keeps one connection open for as long as the task that runs it lives: connects, prepares the
/// connection (the pub/sub client resubscribes here), hands it over, waits until it closes, and
/// connects again, with ``RedisBackoff`` between failed attempts.
struct RedisReconnectLoop: Sendable {
    let configuration: RedisConfiguration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let onPush: (@Sendable (RESPValue) -> Void)?

    /// Runs until the task is cancelled.
    ///
    /// - Parameters:
    ///   - prepare: runs on each new connection before it is handed over; a thrown error closes
    ///     the connection and counts as a failed attempt.
    ///   - up: the connection is ready; returns `false` when the owner is closed (the connection
    ///     is then closed and the loop ends).
    ///   - down: the connection was lost, or an attempt failed, with this error.
    func run(
        prepare: @Sendable (RedisConnection) async throws(RedisError) -> Void = { _ in },
        up: @Sendable (RedisConnection) -> Bool,
        down: @Sendable (RedisError) -> Void
    ) async {
        var attempt = 0
        while !Task.isCancelled {
            do throws(RedisError) {
                let connection = try await RedisConnection.connect(
                    configuration: self.configuration, eventLoop: self.eventLoopGroup.next(), logger: self.logger, onPush: self.onPush)
                do throws(RedisError) {
                    try await prepare(connection)
                } catch {
                    await connection.close()
                    throw error
                }
                guard up(connection) else {
                    await connection.close()
                    return
                }
                if attempt > 0 {
                    self.logger.info("reconnected to Redis", metadata: ["redis.url": "\(self.configuration.url)", "redis.attempts": "\(attempt)"])
                }
                attempt = 0
                await withTaskCancellationHandler {
                    try? await connection.closeFuture.get()
                } onCancel: {
                    Task { await connection.close() }
                }
                down(.connectionClosed)
                if !Task.isCancelled {
                    self.logger.warning("lost the connection to Redis; reconnecting", metadata: ["redis.url": "\(self.configuration.url)"])
                }
            } catch {
                if attempt == 0 {
                    self.logger.warning("cannot connect to Redis; retrying with backoff", metadata: ["redis.url": "\(self.configuration.url)", "error": "\(error)"])
                }
                down(error)
            }
            let delay = self.configuration.backoff.delay(attempt: attempt)
            attempt += 1
            try? await Task.sleep(for: delay)
        }
    }
}
