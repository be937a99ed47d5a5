import NIOConcurrencyHelpers
import NIOCore

/// Delivers a session's inbound frames to the proxy's sink in order, on one event loop, and
/// reports the end exactly once after the last frame. Frames that arrive before the proxy called
/// `start(sink:)` wait here.
///
/// A frame that arrives on that event loop while nothing else waits to be delivered goes to the
/// sink at once (a keep-alive connection of the session is usually on its loop): no task is
/// queued for it. Otherwise it is queued behind the others, in order.
///
/// The sink is let go once it has been told of the end. The sink (the proxy's session) holds the
/// front session that owns this delivery, so keeping it would be a reference cycle: every ended
/// session, with its proxy session, would stay in memory for good.
final class SinkDelivery: Sendable {
    private struct State {
        var sink: (any MessageSink)?
        var waiting: [InboundFrame] = []
        var endReason: TransportCloseReason?
        var endReported = false
        /// Deliveries queued on the event loop and not run yet.
        var queued = 0
    }

    private let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// True once `finish` was called.
    var isFinished: Bool {
        state.withLockedValue { $0.endReason != nil }
    }

    /// Connects the sink and hands it what waited (and the end, if it came first).
    func attach(_ sink: any MessageSink) {
        state.withLockedValue { state in
            guard state.sink == nil, !state.endReported else { return }
            let waiting = state.waiting
            state.waiting = []
            let end = state.endReason
            if end != nil {
                // Ended already: the sink hears the end below and is not kept.
                state.endReported = true
            } else {
                state.sink = sink
            }
            guard !waiting.isEmpty || end != nil else { return }
            state.queued += 1
            eventLoop.execute { [self] in
                self.state.withLockedValue { $0.queued -= 1 }
                for frame in waiting { sink.transportReceived(frame) }
                if let end { sink.transportClosed(end) }
            }
        }
    }

    /// Queues one frame for the sink; false when the session already ended.
    @discardableResult
    func deliver(_ frame: InboundFrame) -> Bool {
        let onLoop = eventLoop.inEventLoop
        let (accepted, direct) = state.withLockedValue { state -> (Bool, (any MessageSink)?) in
            guard state.endReason == nil else { return (false, nil) }
            guard let sink = state.sink else {
                state.waiting.append(frame)
                return (true, nil)
            }
            if onLoop && state.queued == 0 { return (true, sink) }
            state.queued += 1
            eventLoop.execute { [self] in
                self.state.withLockedValue { $0.queued -= 1 }
                sink.transportReceived(frame)
            }
            return (true, nil)
        }
        direct?.transportReceived(frame)
        return accepted
    }

    /// Ends delivery; the sink hears `reason` once, after every frame queued before. Later calls
    /// do nothing. Returns whether this call ended it.
    @discardableResult
    func finish(_ reason: TransportCloseReason) -> Bool {
        state.withLockedValue { state in
            guard state.endReason == nil else { return false }
            state.endReason = reason
            guard let sink = state.sink, !state.endReported else { return true }
            state.endReported = true
            // Nothing more goes to the sink: drop it to break the cycle sink -> transport -> self.
            state.sink = nil
            eventLoop.execute { sink.transportClosed(reason) }
            return true
        }
    }
}
