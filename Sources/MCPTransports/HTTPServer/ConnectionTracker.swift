import NIOConcurrencyHelpers
import NIOCore

/// The open connections of a listener, so shutdown can close them.
final class ConnectionTracker: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLockedValue { $0[key] = channel }
        channel.closeFuture.whenComplete { [channels] _ in
            channels.withLockedValue { $0[key] = nil }
        }
    }

    var count: Int { channels.withLockedValue { $0.count } }

    /// Closes every tracked connection and waits until they are closed.
    func closeAll() async {
        let open = channels.withLockedValue { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}
