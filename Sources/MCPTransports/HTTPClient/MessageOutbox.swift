import NIOCore

/// The messages a network transport was handed and has not dispatched yet, in the order sent,
/// and whether a dispatcher is at work on them.
///
/// It lives inside the transport's locked state: `send` pushes, and the one dispatcher pops until
/// the queue is empty or it has to wait (a one-way POST in flight, a session renewal), so messages
/// leave in order without a task or a stream between the caller and the network.
struct MessageOutbox: Sendable {
    private var queue = CircularBuffer<OutgoingMessage>(initialCapacity: 4)
    /// A dispatcher is running, or is parked until something in flight completes.
    private(set) var isDispatching = false

    /// Queues `message`; true when the caller must start a dispatcher (none is at work).
    mutating func push(_ message: OutgoingMessage) -> Bool {
        queue.append(message)
        guard !isDispatching else { return false }
        isDispatching = true
        return true
    }

    /// The next message for the dispatcher; nil (the queue is empty) ends its turn, and the next
    /// `push` starts a new one.
    mutating func next() -> OutgoingMessage? {
        guard let message = queue.popFirst() else {
            isDispatching = false
            return nil
        }
        return message
    }

    /// Drops what is queued and ends dispatching (the transport is closing).
    mutating func clear() {
        queue.removeAll()
        isDispatching = false
    }
}
