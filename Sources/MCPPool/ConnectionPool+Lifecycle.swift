/// Warm-up, losses, idle eviction and shutdown.
extension ConnectionPool {
    /// Opens `size` connections in the background (warm-up) and keeps `size` open from now on
    /// (re-opening with backoff after losses). Idempotent; opens nothing when `size` is 0.
    public func start() {
        update { $0.start(&$1) }
    }

    /// The owner found `connection` dead: the pool forgets it, closes it, and re-opens (after
    /// the backoff) if it is below `size` or has waiters; waiters keep waiting within their
    /// timeout. Its outstanding leases become no-ops to release. Unknown connections are ignored.
    public func connectionLost(_ connection: Connection) {
        update { $0.connectionLost(connection, &$1) }
    }

    /// Closes the connections beyond `size` that have had no user for `idleTimeout` (by the
    /// pool's clock), longest idle first; connections found stopped are treated as lost. The
    /// owner calls this periodically.
    public func evictIdle() {
        update { $0.evictIdle(&$1) }
    }

    /// Shuts the pool down: refuses new acquires (``PoolError/draining``), fails the waiters
    /// with `.draining`, cancels the re-open timer, waits up to `timeout` for every lease to be
    /// released and every open in flight to complete, then closes every connection (exactly
    /// once) and returns when they are closed. Opens still in flight then close their
    /// connection when they complete. Cancelling the task ends the wait early.
    public func drain(timeout: Duration) async {
        update { $0.beginDrain(&$1) }
        if timeout > .zero { await waitUntilQuiet(timeout: timeout) }
        let remaining = state.withLock { state in
            var effects = PoolEffects<Connection>()
            state.removeAll(&effects)
            return effects
        }
        for task in remaining.cancelled { task.cancel() }
        await withDiscardingTaskGroup { group in
            for connection in remaining.toClose {
                group.addTask { await connection.close() }
            }
        }
    }

    /// Waits until no lease is out and no open is in flight, at most `timeout`.
    private func waitUntilQuiet(timeout: Duration) async {
        let id = waitNumbers.wrappingAdd(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    !Task.isCancelled && state.awaitQuiet(PoolDrainWaiter(id: id, continuation: continuation))
                }
                guard waiting else {
                    continuation.resume()
                    return
                }
                let timer = Task { [weak self] in
                    do { try await Task.sleep(for: timeout) } catch { return }
                    self?.update { $0.endDrainWait(id, &$1) }
                }
                if !state.withLock({ $0.attachTimer(timer, toDrain: id) }) { timer.cancel() }
            }
        } onCancel: {
            self.update { $0.endDrainWait(id, &$1) }
        }
    }
}
