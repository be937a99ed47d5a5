import Foundation
import Logging

/// The access log's own thread: requests hand it a record (a lock, an append), and it formats
/// and writes the lines, so that neither formatting nor a slow stderr or disk ever holds up an
/// event loop. The queue is bounded; when it is full the record is dropped and the caller
/// counts it (`mcp_proxy_access_log_dropped_total`).
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
    private let condition = NSCondition()
    private var pending: [Job] = []
    /// Records taken by the thread and not yet written.
    private var writing = 0
    private var threadStarted = false
    private var threadWaiting = false

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
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
        } else if threadWaiting {
            condition.broadcast()
        }
        condition.unlock()
        return true
    }

    /// Waits until every record queued so far is written.
    func flush() {
        condition.lock()
        while !pending.isEmpty || writing > 0 {
            condition.wait()
        }
        condition.unlock()
    }

    private func run() {
        var batch: [Job] = []
        batch.reserveCapacity(capacity)
        while true {
            condition.lock()
            while pending.isEmpty {
                threadWaiting = true
                condition.wait()
            }
            threadWaiting = false
            swap(&pending, &batch)   // both keep their capacity: no allocation in steady state
            writing = batch.count
            condition.unlock()

            for job in batch {
                job.log.write(job.record)
            }
            batch.removeAll(keepingCapacity: true)

            condition.lock()
            writing = 0
            condition.broadcast()
            condition.unlock()
        }
    }
}
