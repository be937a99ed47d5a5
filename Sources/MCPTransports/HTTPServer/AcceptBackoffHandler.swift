import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// On a listening channel: when accepting fails because the process (or system) ran out of file
/// descriptors or memory, stops accepting for a short pause instead of retrying at once.
///
/// NIO keeps the listener open after `EMFILE`/`ENFILE`, but the pending connection keeps the
/// socket readable, so without a pause the event loop retries `accept` in a tight loop: a core
/// spins and the other listeners on that loop (the admin pages) starve. Pausing `autoRead` removes
/// the read interest until the pause ends. Refusals of the connection caps also surface here (as
/// the child initializer's error) and are ignored.
final class AcceptBackoffHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel

    private let pause: TimeAmount
    private let logger: Logger
    private let tracker: ConnectionTracker
    private var paused = false
    private var lastWarning: NIODeadline?

    init(pause: TimeAmount = .milliseconds(100), tracker: ConnectionTracker, logger: Logger) {
        self.pause = pause
        self.tracker = tracker
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError, Self.isResourceExhaustion(error.errnoCode) else {
            if !(error is ConnectionRefusal) { context.fireErrorCaught(error) }
            return
        }
        tracker.record(.acceptBackoff)
        let now = NIODeadline.now()
        if lastWarning.map({ now - $0 > .seconds(10) }) ?? true {
            lastWarning = now
            logger.warning(
                "cannot accept connections: out of file descriptors; pausing accepts briefly (raise the open-files limit, or lower maxConnections)",
                metadata: ["error": "\(error)"])
        }
        guard !paused else { return }
        paused = true
        let channel = context.channel
        try? channel.syncOptions?.setOption(.autoRead, value: false)
        context.eventLoop.assumeIsolated().scheduleTask(in: pause) { [self] in
            paused = false
            guard channel.isActive else { return }
            // Turning autoRead back on asks for a read at once.
            try? channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    static func isResourceExhaustion(_ code: CInt) -> Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }
}

/// The error a child channel initializer fails with when a connection cap refuses the connection
/// (NIO then closes the accepted socket).
struct ConnectionRefusal: Error {
    let event: ConnectionTracker.Event
}
