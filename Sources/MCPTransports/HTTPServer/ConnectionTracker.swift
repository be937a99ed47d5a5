import NIOConcurrencyHelpers
import NIOCore

/// The open connections of a listener: admits new ones within the total and per-address caps (so
/// shutdown can close them all), and counts what the connection guards did.
final class ConnectionTracker: Sendable {
    /// Why a connection was closed by the front rather than by its client.
    enum Event: Sendable {
        case refusedOverTotal
        case refusedOverAddress
        case headerTimeout
        case idleTimeout
        case acceptBackoff
        case refusedSession
    }

    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var perAddress: [String: Int] = [:]
        var statistics = HTTPFrontConnectionStatistics()
    }

    private let state: NIOLockedValueBox<State>
    /// The total cap applied (the configured one, possibly lowered to fit the open-files limit).
    let maxConnections: Int
    let maxConnectionsPerAddress: Int
    /// Peers not counted per address (trusted load balancers carry many clients); the total cap
    /// still applies to them.
    private let uncountedPeers: TrustedProxies?

    init(maxConnections: Int = .max, maxConnectionsPerAddress: Int = .max, uncountedPeers: TrustedProxies? = nil) {
        self.maxConnections = max(maxConnections, 1)
        self.maxConnectionsPerAddress = max(maxConnectionsPerAddress, 1)
        self.uncountedPeers = uncountedPeers
        var state = State()
        state.statistics.maxConnections = self.maxConnections
        self.state = NIOLockedValueBox(state)
    }

    /// Tracks `channel` unless a cap is reached; returns the refusal, or nil when it is admitted.
    func admit(_ channel: any Channel) -> Event? {
        let key = ObjectIdentifier(channel)
        let peer = channel.remoteAddress?.ipAddress
        let address: String? = if let uncountedPeers, let peer, uncountedPeers.contains(peer) { nil } else { peer }
        let refusal = state.withLockedValue { state -> Event? in
            if state.channels.count >= maxConnections {
                state.statistics.refusedOverTotal += 1
                return .refusedOverTotal
            }
            if let address {
                let current = state.perAddress[address, default: 0]
                if current >= maxConnectionsPerAddress {
                    state.statistics.refusedOverAddress += 1
                    return .refusedOverAddress
                }
                state.perAddress[address] = current + 1
            }
            state.channels[key] = channel
            return nil
        }
        guard refusal == nil else { return refusal }
        channel.closeFuture.whenComplete { [state] _ in
            state.withLockedValue { state in
                state.channels[key] = nil
                guard let address else { return }
                let remaining = state.perAddress[address, default: 1] - 1
                state.perAddress[address] = remaining > 0 ? remaining : nil
            }
        }
        return nil
    }

    /// Tracks `channel` without a cap.
    func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        state.withLockedValue { $0.channels[key] = channel }
        channel.closeFuture.whenComplete { [state] _ in
            state.withLockedValue { $0.channels[key] = nil }
        }
    }

    /// Counts a guard's action.
    func record(_ event: Event) {
        state.withLockedValue { state in
            switch event {
            case .refusedOverTotal: state.statistics.refusedOverTotal += 1
            case .refusedOverAddress: state.statistics.refusedOverAddress += 1
            case .headerTimeout: state.statistics.headerTimeouts += 1
            case .idleTimeout: state.statistics.idleTimeouts += 1
            case .acceptBackoff: state.statistics.acceptBackoffs += 1
            case .refusedSession: state.statistics.refusedSessions += 1
            }
        }
    }

    var count: Int { state.withLockedValue { $0.channels.count } }

    var statistics: HTTPFrontConnectionStatistics {
        state.withLockedValue { state in
            var statistics = state.statistics
            statistics.open = state.channels.count
            return statistics
        }
    }

    /// Closes every tracked connection and waits until they are closed.
    func closeAll() async {
        let open = state.withLockedValue { Array($0.channels.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}
