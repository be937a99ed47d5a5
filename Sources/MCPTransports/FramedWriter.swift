import NIOConcurrencyHelpers
import NIOCore

/// Writes newline-delimited frames to one channel, many per system call: frames written during
/// one turn of the channel's event loop go out with a single flush at the end of that turn, and
/// frames written from other threads are queued and handed to the loop in one task per batch
/// (not one per frame). Under load (many requests in flight on one pipe) this turns a `writev`
/// and a task hop per message into one of each per burst; a lone message still leaves within
/// the same loop turn.
///
/// Order is kept per writer: once frames wait in the queue, a frame written on the loop queues
/// behind them.
final class FramedWriter: @unchecked Sendable {
    // @unchecked: `queue`, `spare` and `drainScheduled` are guarded by `lock`; `flushScheduled`
    // is touched only on the channel's event loop.
    let channel: any Channel
    private let lock = NIOLock()
    private var queue: [ByteBuffer] = []
    private var spare: [ByteBuffer] = []
    private var drainScheduled = false
    private var flushScheduled = false

    init(channel: any Channel) {
        self.channel = channel
    }

    /// Frames `message` (raw line breaks become spaces) and writes it.
    func write(_ message: ByteBuffer) {
        let line = NewlineFraming.singleLine(message)
        let loop = channel.eventLoop
        let direct = loop.inEventLoop && lock.withLock { !drainScheduled }
        if direct {
            channel.write(line, promise: nil)
            channel.write(NewlineFraming.newline, promise: nil)
            scheduleFlush()
            return
        }
        let schedule = lock.withLock { () -> Bool in
            queue.append(line)
            if drainScheduled { return false }
            drainScheduled = true
            return true
        }
        if schedule { loop.execute { self.drain() } }
    }

    /// On the loop: writes every queued frame, then flushes once. The two arrays trade places,
    /// so a steady stream of batches allocates nothing for the queue.
    private func drain() {
        var batch = lock.withLock { () -> [ByteBuffer] in
            var taken = spare
            spare = []
            swap(&queue, &taken)
            drainScheduled = false
            return taken
        }
        for line in batch {
            channel.write(line, promise: nil)
            channel.write(NewlineFraming.newline, promise: nil)
        }
        channel.flush()
        batch.removeAll(keepingCapacity: true)
        lock.withLock { if spare.capacity < batch.capacity { spare = batch } }
    }

    /// On the loop: one flush after the frames written in this turn.
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        channel.eventLoop.execute {
            self.flushScheduled = false
            self.channel.flush()
        }
    }
}
