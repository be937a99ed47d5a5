/// What the pool does outside its lock: resuming waiters, closing connections, reporting
/// events, running opens and the re-open timer.
extension ConnectionPool {
    /// Runs `change` under the lock, finishes it, and performs its effects.
    func update(_ change: (inout PoolState<Connection>, inout PoolEffects<Connection>) -> Void) {
        let effects = state.withLock { state in
            var effects = PoolEffects<Connection>()
            change(&state, &effects)
            state.finish(&effects)
            return effects
        }
        if !effects.isEmpty { perform(effects) }
    }

    /// Performs what a state change asked for, outside the lock.
    @usableFromInline func perform(_ effects: PoolEffects<Connection>) {
        for task in effects.cancelled { task.cancel() }
        for connection in effects.toClose {
            Task { await connection.close() }
        }
        if let events {
            for event in effects.events { events(event) }
        }
        for resumption in effects.resumptions {
            resumption.timer?.cancel()
            resumption.continuation.resume(returning: resumption.result)
        }
        for drain in effects.drainResumptions {
            drain.timer?.cancel()
            drain.continuation.resume()
        }
        for _ in 0..<effects.opensToStart { launchOpen() }
        if let reopen = effects.reopen { launchReopenTimer(reopen) }
    }

    /// Opens one connection in the background (already counted in `opening`). The task holds
    /// the pool weakly: if the pool is gone when the open completes, it closes the connection.
    private func launchOpen() {
        let open = self.open
        Task { [weak self] in
            let outcome: Result<Connection, any Error>
            do {
                outcome = .success(try await open())
            } catch {
                outcome = .failure(error)
            }
            guard let self else {
                if case .success(let connection) = outcome { await connection.close() }
                return
            }
            switch outcome {
            case .success(let connection):
                update { $0.openSucceeded(connection, &$1) }
            case .failure(let error):
                let description = String(describing: error)
                update { $0.openFailed(description, &$1) }
            }
        }
    }

    /// Starts the timer of a scheduled re-open; it holds the pool weakly and does nothing if
    /// its schedule was replaced or drained.
    private func launchReopenTimer(_ reopen: PoolEffects<Connection>.Reopen) {
        let task = Task { [weak self] in
            do { try await Task.sleep(for: reopen.delay) } catch { return }
            self?.update { $0.reopenDue(generation: reopen.generation, &$1) }
        }
        if !state.withLock({ $0.adoptReopenTask(task, generation: reopen.generation) }) { task.cancel() }
    }
}
