import NIOCore

/// Subscribes to Redis pub/sub channels and patterns. This is the seam a maintained client would
/// implement to replace ``RedisPubSubClient``.
public protocol RedisSubscriber: Sendable {
    /// Subscribes to channels (`SUBSCRIBE`); returns once the server confirmed, or at once while
    /// Redis is unreachable (the subscription then takes effect when the connection is back).
    /// While the client is still making its first connection, it waits for it (up to the connect
    /// timeout).
    /// Throws ``RedisError/serverError(_:)`` when the server refuses (for example an ACL).
    func subscribe(channels: [String]) async throws(RedisError) -> RedisSubscription

    /// Subscribes to glob-style patterns (`PSUBSCRIBE`), like ``subscribe(channels:)``.
    func subscribe(patterns: [String]) async throws(RedisError) -> RedisSubscription
}

/// A message published on a channel.
public struct RedisPubSubMessage: Sendable, Hashable {
    /// The channel it was published on.
    public var channel: String
    /// The pattern that matched the channel, for pattern subscriptions; `nil` otherwise.
    public var pattern: String?
    /// The message's bytes.
    public var payload: ByteBuffer

    /// Makes a message.
    public init(channel: String, pattern: String? = nil, payload: ByteBuffer) {
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
    }
}

/// The messages of one subscription, as an async sequence. It lasts until ``unsubscribe()``,
/// until the task iterating it is cancelled, or until the client closes.
///
/// Messages published while the connection is down are lost (that is pub/sub's contract); the
/// client resubscribes when the connection comes back. Messages wait in a buffer until read: when
/// the reader falls more than the buffer's size behind, newer messages are dropped.
public final class RedisSubscription: AsyncSequence, Sendable {
    /// The messages.
    public typealias Element = RedisPubSubMessage
    /// The iterator of the messages.
    public typealias AsyncIterator = AsyncStream<RedisPubSubMessage>.Iterator

    /// The channels (or patterns) subscribed to.
    public let names: [String]
    /// Whether ``names`` are patterns.
    public let isPattern: Bool
    private let messages: AsyncStream<RedisPubSubMessage>
    private let cancel: @Sendable () -> Void

    /// Makes a subscription over a stream of messages; `cancel` unsubscribes (it may be called
    /// more than once and must be idempotent).
    public init(names: [String], isPattern: Bool, messages: AsyncStream<RedisPubSubMessage>, cancel: @escaping @Sendable () -> Void) {
        self.names = names
        self.isPattern = isPattern
        self.messages = messages
        self.cancel = cancel
    }

    /// An iterator over the messages.
    public func makeAsyncIterator() -> AsyncStream<RedisPubSubMessage>.Iterator {
        self.messages.makeAsyncIterator()
    }

    /// Ends the subscription: iteration ends, and the client unsubscribes from names no other
    /// subscription uses.
    public func unsubscribe() {
        self.cancel()
    }
}
