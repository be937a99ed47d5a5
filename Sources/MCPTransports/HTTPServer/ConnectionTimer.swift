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
    private let tracker: ConnectionTracker
    private var phase = Phase.readingHead
    private var deadline: Scheduled<Void>?

    /// Created on the channel's event loop when the connection is accepted; the header deadline starts.
    init(channel: any Channel, headerTimeout: Duration, idleTimeout: Duration, tracker: ConnectionTracker) {
        self.channel = channel
        self.headerTimeout = headerTimeout > .zero ? TimeAmount(headerTimeout) : nil
        self.idleTimeout = idleTimeout > .zero ? TimeAmount(idleTimeout) : nil
        self.tracker = tracker
        arm(headerTimeout: true)
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
        arm(headerTimeout: true)
    }

    /// A complete request head arrived.
    func requestStarted() {
        guard phase != .stopped, phase != .busy else { return }
        phase = .busy
        disarm()
    }

    /// The response to the current request ended; the connection stays open for the next one.
    func responseFinished() {
        guard case .busy = phase else { return }
        phase = .idle
        arm(headerTimeout: false)
    }

    /// No more deadlines: the connection closed or is a WebSocket now.
    func stop() {
        phase = .stopped
        disarm()
    }

    private func arm(headerTimeout isHeader: Bool) {
        disarm()
        guard let timeout = isHeader ? headerTimeout : idleTimeout else { return }
        let expected = phase
        deadline = channel.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard phase == expected else { return }
            phase = .stopped
            deadline = nil
            tracker.record(isHeader ? .headerTimeout : .idleTimeout)
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
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
