/// The FIFO of callers waiting in a ``Bulkhead``, kept inside the bulkhead's mutex.
///
/// A waiter is enqueued (getting a ``Ticket``) before its continuation exists, because the
/// continuation is created later, in `withCheckedContinuation`, and a release, a timeout or a
/// cancellation may come in between. So a waiter is settled in one of two ways:
/// - its continuation is installed first: whoever settles it later (a release granting the
///   permit, or a timeout/cancellation expiring it) takes the continuation out under the lock
///   and resumes it; the node is freed at once.
/// - it is settled first: the outcome is written into the node, and ``install(_:for:)``
///   returns it so the waiter resumes itself; the node is freed then.
/// Either way exactly one party resumes each continuation, exactly once.
///
/// Nodes live in one array (a slab) linked into a doubly linked list by index, with freed
/// nodes on a free list, so enqueue, grant and expiry are O(1) and, once the slab has grown to
/// the deepest queue seen, allocation-free. A ticket carries a generation, so a late timeout
/// for a node that was since reused does nothing.
struct BulkheadWaitQueue: Sendable {
    /// Identifies one waiter: its node and the generation the node had when it was enqueued.
    struct Ticket: Sendable, Equatable {
        /// The node's index in the slab.
        let slot: Int
        /// The node's generation when enqueued.
        let generation: UInt64
    }

    /// How a waiter was settled before its continuation was installed.
    enum Outcome: Sendable, Equatable {
        /// Still queued.
        case waiting
        /// Given a permit by a release.
        case granted
        /// Timed out or cancelled.
        case expired
    }

    /// What ``grantFirst()`` did.
    enum Grant: Sendable {
        /// Nobody was waiting: the permit is not handed over.
        case noWaiter
        /// The first waiter got the permit and must be resumed with `true`.
        case resume(CheckedContinuation<Bool, Never>)
        /// The first waiter got the permit but has not installed its continuation yet; it will
        /// find out in ``install(_:for:)``.
        case deferred
    }

    /// One waiter, or a free slot.
    private struct Node: Sendable {
        var generation: UInt64 = 0
        var continuation: CheckedContinuation<Bool, Never>?
        var outcome = Outcome.waiting
        var previous = -1
        var next = -1
    }

    private var nodes: ContiguousArray<Node> = []
    private var freeHead = -1
    private var head = -1
    private var tail = -1
    private var nextGeneration: UInt64 = 0
    /// Waiters in the queue (not yet granted or expired).
    private(set) var count = 0

    /// Appends a waiter at the tail and returns its ticket.
    mutating func enqueue() -> Ticket {
        nextGeneration &+= 1
        let slot: Int
        if freeHead >= 0 {
            slot = freeHead
            freeHead = nodes[slot].next
            nodes[slot] = Node(generation: nextGeneration)
        } else {
            slot = nodes.count
            nodes.append(Node(generation: nextGeneration))
        }
        nodes[slot].previous = tail
        if tail >= 0 { nodes[tail].next = slot } else { head = slot }
        tail = slot
        count += 1
        return Ticket(slot: slot, generation: nextGeneration)
    }

    /// Stores the waiter's continuation. Returns `nil` when it is still waiting (it will be
    /// resumed by whoever settles it), or its outcome (`true`: granted) when it was settled
    /// before this call, in which case the caller resumes it and the node is freed.
    mutating func install(_ continuation: CheckedContinuation<Bool, Never>, for ticket: Ticket) -> Bool? {
        guard isCurrent(ticket) else { return false }
        switch nodes[ticket.slot].outcome {
        case .waiting:
            nodes[ticket.slot].continuation = continuation
            return nil
        case .granted:
            free(ticket.slot)
            return true
        case .expired:
            free(ticket.slot)
            return false
        }
    }

    /// Hands a permit to the waiter at the head, if any.
    mutating func grantFirst() -> Grant {
        guard head >= 0 else { return .noWaiter }
        let slot = head
        unlink(slot)
        if let continuation = nodes[slot].continuation {
            free(slot)
            return .resume(continuation)
        }
        nodes[slot].outcome = .granted
        return .deferred
    }

    /// Removes a waiter that timed out or was cancelled. Returns its continuation when it must
    /// be resumed with `false` now; `nil` when it was already granted or expired (nothing to
    /// do), or has no continuation yet (it will see the expiry in ``install(_:for:)``).
    mutating func expire(_ ticket: Ticket) -> CheckedContinuation<Bool, Never>? {
        guard isCurrent(ticket), nodes[ticket.slot].outcome == .waiting else { return nil }
        unlink(ticket.slot)
        if let continuation = nodes[ticket.slot].continuation {
            free(ticket.slot)
            return continuation
        }
        nodes[ticket.slot].outcome = .expired
        return nil
    }

    /// Whether `ticket` still names a live node.
    private func isCurrent(_ ticket: Ticket) -> Bool {
        ticket.slot >= 0 && ticket.slot < nodes.count && nodes[ticket.slot].generation == ticket.generation
    }

    /// Takes a queued node out of the list.
    private mutating func unlink(_ slot: Int) {
        let previous = nodes[slot].previous, next = nodes[slot].next
        if previous >= 0 { nodes[previous].next = next } else { head = next }
        if next >= 0 { nodes[next].previous = previous } else { tail = previous }
        nodes[slot].previous = -1
        nodes[slot].next = -1
        count -= 1
    }

    /// Returns an unlinked node to the free list; its generation changes so old tickets miss.
    private mutating func free(_ slot: Int) {
        nodes[slot] = Node(generation: 0, next: freeHead)
        freeHead = slot
    }
}
