import Foundation
import Logging

/// The access log's own thread: requests hand it a record (a lock, an append), and it formats
/// and writes the lines, so that neither formatting nor a slow stderr or disk ever holds up an
/// event loop. The queue is bounded; when it is full the record is dropped and the caller
/// counts it (`mcp_proxy_access_log_dropped_total`).
///
/// Records are written in batches: a busy proxy does not wake the thread for each one (a
/// futex wake and a context switch per request would cost more than the line); the thread
/// collects what arrives for up to ``batchDelay`` and writes it together. Only the first
/// record after a quiet spell, a queue half full, or a ``flush()`` wakes it early.
///
/// One writer serves every access log of the process; its thread starts with the first record.
final class AccessLogWriter: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `condition`.

    /// A record and where it goes.
    struct Job {
        let record: AccessLogRecord
        let log: AccessLog
    }

    static let shared = AccessLogWriter(capacity: 16_384)

    /// Most records waiting at once.
    let capacity: Int
    /// Longest a record waits for the rest of its batch.
    let batchDelay: TimeInterval
    private let condition = NSCondition()
    private var pending: [Job] = []
    /// Records taken by the thread and not yet written.
    private var writing = 0
    private var threadStarted = false
    /// The thread waits without a deadline: the next record must wake it.
    private var idle = false
    private var flushes = 0

    init(capacity: Int, batchDelay: TimeInterval = 0.02) {
        self.capacity = max(capacity, 2)
        self.batchDelay = batchDelay
        pending.reserveCapacity(self.capacity)
    }

    /// Queues a record; false when the queue is full (the record is dropped).
    func submit(_ record: AccessLogRecord, to log: AccessLog) -> Bool {
        condition.lock()
        guard pending.count < capacity else {
            condition.unlock()
            return false
        }
        pending.append(Job(record: record, log: log))
        if !threadStarted {
            threadStarted = true
            let thread = Thread { [self] in run() }
            thread.name = "mcp-proxy access log"
            thread.start()
        } else if idle || pending.count == capacity / 2 {
            idle = false
            condition.broadcast()
        }
        condition.unlock()
        return true
    }

    /// Waits until every record queued so far is written.
    func flush() {
        condition.lock()
        flushes += 1
        condition.broadcast()
        while !pending.isEmpty || writing > 0 {
            condition.wait()
        }
        flushes -= 1
        condition.unlock()
    }

    private func run() {
        var batch: [Job] = []
        batch.reserveCapacity(capacity)
        while true {
            condition.lock()
            while pending.isEmpty {
                idle = true
                condition.wait()
            }
            idle = false
            // Let the batch fill for a moment, unless someone waits for it or it is half full.
            let deadline = Date(timeIntervalSinceNow: batchDelay)
            while flushes == 0, pending.count < capacity / 2, condition.wait(until: deadline) {}
            swap(&pending, &batch)   // both keep their capacity: no allocation in steady state
            writing = batch.count
            condition.unlock()

            var start = batch.startIndex
            while start < batch.endIndex {
                let log = batch[start].log
                var end = start + 1
                while end < batch.endIndex, batch[end].log === log { end += 1 }
                log.write(batch[start..<end])
                start = end
            }
            batch.removeAll(keepingCapacity: true)

            condition.lock()
            writing = 0
            condition.broadcast()
            condition.unlock()
        }
    }
}
