import MCPTransports
import NIOConcurrencyHelpers

/// The client transport's sink: it passes every inbound frame to the session serving the client
/// now. A reload moves an open client onto the new configuration by pointing the relay at a new
/// session (``MCPProxy/adopt(_:)``); the transport never notices.
final class SinkRelay: MessageSink, Sendable {
    /// Weak: the session is held by the proxy's `serve` (or `adopt`) while it runs.
    private let target: NIOLockedValueBox<WeakTarget>

    private struct WeakTarget: @unchecked Sendable {
        // @unchecked: a weak reference to a Sendable session, only read and written under the lock.
        weak var session: ProxySession?
    }

    init(_ session: ProxySession?) {
        target = NIOLockedValueBox(WeakTarget(session: session))
    }

    var session: ProxySession? { target.withLockedValue { $0.session } }

    func retarget(_ session: ProxySession) {
        target.withLockedValue { $0.session = session }
    }

    func transportReceived(_ frame: InboundFrame) {
        session?.transportReceived(frame)
    }

    func transportReceivedOversized(_ frame: OversizedFrame) {
        session?.transportReceivedOversized(frame)
    }

    func transportClosed(_ reason: TransportCloseReason) {
        session?.transportClosed(reason)
    }
}
