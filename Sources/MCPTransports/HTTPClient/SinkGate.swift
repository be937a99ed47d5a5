import NIOConcurrencyHelpers

/// Hands frames to a transport's sink, in order, and reports the end exactly once; nothing passes
/// after the end.
///
/// Frames of several streams (HTTP) are serialized here. The sink is called under a lock that only
/// this gate takes, so a sink may call the transport's `send` from inside `transportReceived`.
final class SinkGate: Sendable {
    private struct State {
        var sink: (any MessageSink)?
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    /// Sets the sink that frames go to.
    func attach(_ sink: any MessageSink) {
        state.withLockedValue { $0.sink = sink }
    }

    /// Delivers one frame; false when the transport has already ended (the frame is dropped).
    @discardableResult
    func deliver(_ frame: InboundFrame) -> Bool {
        state.withLockedValue { state in
            guard !state.closed, let sink = state.sink else { return false }
            sink.transportReceived(frame)
            return true
        }
    }

    /// Reports the end once; later calls do nothing and return false.
    @discardableResult
    func close(_ reason: TransportCloseReason) -> Bool {
        state.withLockedValue { state in
            guard !state.closed else { return false }
            state.closed = true
            state.sink?.transportClosed(reason)
            return true
        }
    }

    /// Whether the end was reported.
    var isClosed: Bool { state.withLockedValue { $0.closed } }
}
