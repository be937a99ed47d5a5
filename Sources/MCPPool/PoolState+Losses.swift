import MCPReliability

/// Connections the pool loses (found stopped) and the idle ones it closes, and its counts.
extension PoolState {
    // MARK: Losing and evicting

    /// The owner reports `connection` dead: forget it (and close it). Unknown connections are
    /// ignored, so a connection is closed at most once.
    mutating func connectionLost(_ connection: Connection, _ effects: inout Effects) {
        guard let index = slots.firstIndex(where: { $0.connection === connection }) else { return }
        forget(at: index, &effects)
    }

    @usableFromInline mutating func forget(at index: Int, _ effects: inout PoolEffects<Connection>) {
        let slot = slots.remove(at: index)
        closed += 1
        effects.toClose.append(slot.connection)
        effects.events.append(.lost)
        unsettledLosses += 1
    }

    @usableFromInline mutating func settleLosses(_ effects: inout PoolEffects<Connection>) {
        guard unsettledLosses > 0 else { return }
        unsettledLosses = 0
        guard !draining else { return }
        registerSetback("the upstream connection was lost", holdsBackOpens: true, &effects)
    }

    /// Closes connections beyond `size` that have been free for `idleTimeout`, longest idle
    /// first; forgets stopped ones as lost.
    mutating func evictIdle(_ effects: inout Effects) {
        guard !draining else { return }
        forgetUnusable(&effects)
        guard let idleTimeout = configuration.idleTimeout else { return }
        let now = clock.nanoseconds()
        let limit = idleTimeout.nanosecondsClamped
        while slots.count > configuration.size {
            var oldest = -1
            for index in slots.indices where slots[index].isFree && now >= slots[index].idleSince
                && now - slots[index].idleSince >= limit
            {
                if oldest < 0 || slots[index].idleSince < slots[oldest].idleSince { oldest = index }
            }
            guard oldest >= 0 else { return }
            let slot = slots.remove(at: oldest)
            closed += 1
            effects.toClose.append(slot.connection)
            effects.events.append(.closedIdle)
        }
    }

    private mutating func forgetUnusable(_ effects: inout Effects) {
        var index = 0
        while index < slots.count {
            if slots[index].connection.isUsable { index += 1 } else { forget(at: index, &effects) }
        }
    }

    /// The usable connections; stopped ones are forgotten as lost.
    mutating func usableConnections(_ effects: inout Effects) -> [Connection] {
        forgetUnusable(&effects)
        return slots.map(\.connection)
    }

    /// The counts, without side effects (a stopped connection not yet noticed counts as open,
    /// not usable).
    var statistics: PoolStatistics {
        var statistics = PoolStatistics(
            open: slots.count, opening: opening, waiting: waiters.count,
            opened: opened, openFailures: openFailures, closed: closed)
        for slot in slots {
            if slot.connection.isUsable { statistics.usable += 1 }
            if slot.isExclusive { statistics.exclusiveLeases += 1 }
            statistics.sharedUsers += slot.sharedUsers
        }
        return statistics
    }
}
