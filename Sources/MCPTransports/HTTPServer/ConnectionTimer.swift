import NIOCore

/// The deadlines of one HTTP connection, on its event loop: a request head must arrive complete
/// within the header timeout (counted from the connection's start, or from the first byte after
/// the previous response), and a keep-alive connection may wait only the idle timeout for its next
/// request. No deadline runs while a request is in flight or its response (an event stream) is open;
/// a connection that became a WebSocket has none.
final class ConnectionTimer {
    private enum Phase {
        /// Bytes of a request head may be arriving; the header deadline runs.
        case readingHead
        /// Waiting for the first byte of the next request; the idle deadline runs.
        case idle
        /// A request is in flight or its response is open.
        case busy
        case stopped
    }

    private let channel: any Channel
    private let headerTimeout: TimeAmount?
    private let idleTimeout: TimeAmount?
    /// The longest a pending check may lie ahead: the shorter timeout. Checks are not moved on
    /// every request (that would schedule a task per request); instead one check is pending at a
    /// time, never later than the current deadline, and reschedules itself while a deadline runs.
    private let granularity: TimeAmount
    private let tracker: ConnectionTracker
    private var phase = Phase.readingHead
    /// When the current phase's limit is reached; nil while no deadline runs.
    private var deadline: NIODeadline?
    private var check: Scheduled<Void>?
    private var checkAt = NIODeadline.distantFuture

    /// Created on the channel's event loop when the connection is accepted; the header deadline starts.
    init(channel: any Channel, headerTimeout: Duration, idleTimeout: Duration, tracker: ConnectionTracker) {
        self.channel = channel
        self.headerTimeout = headerTimeout > .zero ? TimeAmount(headerTimeout) : nil
        self.idleTimeout = idleTimeout > .zero ? TimeAmount(idleTimeout) : nil
        self.granularity = [self.headerTimeout, self.idleTimeout].compactMap { $0 }.min() ?? .seconds(1)
        self.tracker = tracker
        setDeadline(self.headerTimeout)
    }

    /// The timer of a front connection, found in its pipeline (on the event loop); nil when the
    /// front runs without deadlines.
    static func of(_ channel: any Channel) -> ConnectionTimer? {
        (try? channel.pipeline.syncOperations.handler(type: ConnectionTimerHandler.self))?.timer
    }

    /// Bytes arrived from the client.
    func bytesArrived() {
        guard case .idle = phase else { return }
        phase = .readingHead
        setDeadline(headerTimeout)
    }

    /// A complete request head arrived.
    func requestStarted() {
        guard phase != .stopped, phase != .busy else { return }
        phase = .busy
        deadline = nil
    }

    /// The response to the current request ended; the connection stays open for the next one.
    func responseFinished() {
        guard case .busy = phase else { return }
        phase = .idle
        setDeadline(idleTimeout)
    }

    /// No more deadlines: the connection closed or is a WebSocket now.
    func stop() {
        phase = .stopped
        deadline = nil
        check?.cancel()
        check = nil
    }

    private func setDeadline(_ timeout: TimeAmount?) {
        guard let timeout else {
            deadline = nil
            return
        }
        let now = NIODeadline.now()
        let due = now + timeout
        deadline = due
        if check == nil || checkAt > due {
            schedule(at: min(due, now + granularity))
        }
    }

    private func schedule(at time: NIODeadline) {
        check?.cancel()
        checkAt = time
        check = channel.eventLoop.assumeIsolated().scheduleTask(deadline: time) { [self] in
            fire()
        }
    }

    private func fire() {
        check = nil
        checkAt = .distantFuture
        guard phase != .stopped, phase != .busy, let deadline else { return }
        let now = NIODeadline.now()
        guard deadline <= now else {
            schedule(at: min(deadline, now + granularity))
            return
        }
        tracker.record(phase == .readingHead ? .headerTimeout : .idleTimeout)
        stop()
        channel.close(promise: nil)
    }
}

/// The first handler of a front connection (before TLS): tells the connection's timer that bytes
/// arrived, and stops it when the connection closes.
final class ConnectionTimerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    let timer: ConnectionTimer

    init(timer: ConnectionTimer) {
        self.timer = timer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        timer.bytesArrived()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer.stop()
        context.fireChannelInactive()
    }
}
