import NIOCore

/// A reply a connection waits for, in the order its command was written.
struct RedisPendingReply {
    let promise: EventLoopPromise<RESPValue>
    let command: String
    let id: UInt64
    /// For SUBSCRIBE-like commands: how many confirmation pushes complete it (one per channel).
    var pushConfirmations: Int
    /// Set once the caller has been failed with a timeout; the reply is then read and dropped.
    var expired = false
    var timeout: Scheduled<Void>?
}

/// The channel handler of one Redis connection: writes commands, matches replies to them in
/// FIFO order, routes push messages, times commands out, and fails every pending command with
/// a typed error when the connection ends. Everything here runs on the channel's event loop.
///
/// Writes are coalesced: a command is written at once but flushed by a task queued behind the
/// commands already submitted, so under load many commands leave in one system call.
final class RedisConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = RESPValue
    typealias OutboundOut = ByteBuffer

    private static let subscriptionKinds: Set<String> = ["subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe"]

    private var queue = CircularBuffer<RedisPendingReply>(initialCapacity: 16)
    private var context: ChannelHandlerContext?
    private var failure: RedisError?
    private var flushScheduled = false
    private var nextID: UInt64 = 0
    private let onPush: (@Sendable (RESPValue) -> Void)?

    init(onPush: (@Sendable (RESPValue) -> Void)?) {
        self.onPush = onPush
    }

    /// The number of replies still awaited.
    var pendingCount: Int { self.queue.count }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.failAll(self.failure ?? .connectionClosed)
        self.context = nil
    }

    /// Writes `bytes` (one or more encoded commands) and queues their replies, in order.
    func enqueue(_ bytes: ByteBuffer, replies: [(promise: EventLoopPromise<RESPValue>, command: String, pushConfirmations: Int)], timeout: TimeAmount?) {
        guard let context = self.context, self.failure == nil else {
            for reply in replies { reply.promise.fail(self.failure ?? .connectionClosed) }
            return
        }
        for reply in replies {
            self.append(context: context, promise: reply.promise, command: reply.command, pushConfirmations: reply.pushConfirmations, timeout: timeout)
        }
        self.write(context: context, bytes)
    }

    /// Writes one encoded command and queues its reply.
    func enqueue(_ bytes: ByteBuffer, promise: EventLoopPromise<RESPValue>, command: String, pushConfirmations: Int, timeout: TimeAmount?) {
        guard let context = self.context, self.failure == nil else {
            promise.fail(self.failure ?? .connectionClosed)
            return
        }
        self.append(context: context, promise: promise, command: command, pushConfirmations: pushConfirmations, timeout: timeout)
        self.write(context: context, bytes)
    }

    private func append(context: ChannelHandlerContext, promise: EventLoopPromise<RESPValue>, command: String, pushConfirmations: Int, timeout: TimeAmount?) {
        let id = self.nextID
        self.nextID &+= 1
        var pending = RedisPendingReply(promise: promise, command: command, id: id, pushConfirmations: pushConfirmations)
        if let timeout {
            pending.timeout = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.expire(id: id, after: timeout)
            }
        }
        self.queue.append(pending)
    }

    private func write(context: ChannelHandlerContext, _ bytes: ByteBuffer) {
        context.write(self.wrapOutboundOut(bytes), promise: nil)
        guard !self.flushScheduled else { return }
        self.flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.context?.flush()
        }
    }

    /// Fails a command whose timeout passed. When it is the oldest command, the server has not
    /// answered anything for that long: the connection is stale, so it is closed (its other
    /// commands fail with `connectionClosed`, and the pool reconnects).
    private func expire(id: UInt64, after timeout: TimeAmount) {
        guard let index = self.queue.firstIndex(where: { $0.id == id }), !self.queue[index].expired else { return }
        self.queue[index].expired = true
        let pending = self.queue[index]
        pending.promise.fail(RedisError.timeout(command: pending.command, milliseconds: timeout.nanoseconds / 1_000_000))
        if index == self.queue.startIndex {
            self.context?.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = self.unwrapInboundIn(data)
        if case .push(let elements) = value {
            self.receivedPush(value, kind: elements.first?.string?.lowercased())
            return
        }
        guard !self.queue.isEmpty else {
            self.fail(context: context, .protocolError("the server sent a \(value.typeName) reply no command asked for"))
            return
        }
        self.complete(self.queue.removeFirst(), with: value)
    }

    private func receivedPush(_ value: RESPValue, kind: String?) {
        if let kind, Self.subscriptionKinds.contains(kind), !self.queue.isEmpty, self.queue[self.queue.startIndex].pushConfirmations > 0 {
            self.queue[self.queue.startIndex].pushConfirmations -= 1
            if self.queue[self.queue.startIndex].pushConfirmations == 0 {
                self.complete(self.queue.removeFirst(), with: value)
            }
        }
        self.onPush?(value)
    }

    private func complete(_ pending: RedisPendingReply, with value: RESPValue) {
        pending.timeout?.cancel()
        guard !pending.expired else { return }
        pending.promise.succeed(value)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(self.failure ?? .connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? RedisError {
            self.fail(context: context, error)
        } else {
            self.fail(context: context, .connectionClosed)
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: RedisError) {
        if self.failure == nil { self.failure = error }
        self.failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        if self.failure == nil { self.failure = .connectionClosed }
        while let pending = self.queue.popFirst() {
            pending.timeout?.cancel()
            if !pending.expired { pending.promise.fail(error) }
        }
    }
}
