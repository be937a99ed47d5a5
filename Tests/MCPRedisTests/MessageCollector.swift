import Foundation
import MCPRedis
import NIOCore

/// Reads a subscription in a task of its own, so tests wait for messages with a deadline
/// instead of hanging when one never comes.
final class MessageCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [RedisPubSubMessage] = []
    private var ended = false
    private var task: Task<Void, Never>?

    init(_ subscription: RedisSubscription) {
        self.task = Task {
            for await message in subscription {
                self.lock.withLock { self.messages.append(message) }
            }
            self.lock.withLock { self.ended = true }
        }
    }

    /// The payloads received so far, as text.
    var payloads: [String] { self.lock.withLock { self.messages.map { String(buffer: $0.payload) } } }

    /// All messages received so far.
    var received: [RedisPubSubMessage] { self.lock.withLock { self.messages } }

    /// Whether the subscription's sequence ended.
    var hasEnded: Bool { self.lock.withLock { self.ended } }

    /// Waits until `count` messages arrived (or the sequence ended) or `timeout` passed.
    @discardableResult
    func wait(for count: Int, timeout: Duration = .seconds(5)) async -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, self.lock.withLock({ self.messages.count < count && !self.ended }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return self.payloads
    }

    /// Waits until the sequence ended or `timeout` passed; returns whether it ended.
    func waitForEnd(timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !self.hasEnded {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return self.hasEnded
    }
}
