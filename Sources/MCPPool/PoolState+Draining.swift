import MCPReliability

/// Draining the pool, emptying it, and `finish`, which every operation under the lock ends with.
extension PoolState {
    // MARK: Draining

    /// Refuses new acquires from now on, fails every waiter with `.draining` and cancels the
    /// scheduled re-open. Idempotent.
    mutating func beginDrain(_ effects: inout Effects) {
        guard !draining else { return }
        draining = true
        for waiter in waiters {
            effects.resumptions.append(.init(continuation: waiter.continuation, result: .failure(.draining), timer: waiter.timer))
        }
        waiters.removeAll()
        reopenAt = nil
        reopenGeneration &+= 1
        if let reopenTask {
            effects.cancelled.append(reopenTask)
            self.reopenTask = nil
        }
    }

    /// Whether no lease is out and no open is in flight.
    @usableFromInline var isQuiet: Bool {
        opening == 0 && slots.allSatisfy(\.isFree)
    }

    /// Queues a drain until the pool is quiet; false if it already is.
    mutating func awaitQuiet(_ waiter: PoolDrainWaiter) -> Bool {
        guard !isQuiet else { return false }
        drainWaiters.append(waiter)
        return true
    }

    /// Gives a queued drain its timeout task; false if it is no longer queued.
    mutating func attachTimer(_ timer: Task<Void, Never>, toDrain id: UInt64) -> Bool {
        guard let index = drainWaiters.firstIndex(where: { $0.id == id }) else { return false }
        drainWaiters[index].timer = timer
        return true
    }

    /// Ends a drain's wait (its timeout, or cancellation).
    mutating func endDrainWait(_ id: UInt64, _ effects: inout Effects) {
        guard let index = drainWaiters.firstIndex(where: { $0.id == id }) else { return }
        effects.drainResumptions.append(drainWaiters.remove(at: index))
    }

    /// Takes every connection out of the pool, to be closed by the caller (counted as closed);
    /// also cancels the re-open timer (for `deinit`).
    mutating func removeAll(_ effects: inout Effects) {
        closed += slots.count
        effects.toClose.append(contentsOf: slots.lazy.map(\.connection))
        slots.removeAll()
        reopenAt = nil
        if let reopenTask {
            effects.cancelled.append(reopenTask)
            self.reopenTask = nil
        }
    }

    /// Ends every operation under the lock: registers the setback of connections found lost,
    /// and wakes the drains once the pool is quiet.
    @inlinable mutating func finish(_ effects: inout PoolEffects<Connection>) {
        if unsettledLosses > 0 { settleLosses(&effects) }
        if draining, !drainWaiters.isEmpty, isQuiet {
            effects.drainResumptions.append(contentsOf: drainWaiters)
            drainWaiters.removeAll()
        }
    }
}
