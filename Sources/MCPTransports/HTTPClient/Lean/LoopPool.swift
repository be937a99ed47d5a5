import DequeModule
import NIOCore

/// The connections of a `LeanHTTPPool` on one event loop, and the POSTs waiting for one. Touched
/// only on that loop.
final class LoopPool {
    private let loop: any EventLoop
    /// Free connections; the most recently used is taken first (it is the least likely stale).
    private var idle: [LeanHTTPConnection] = []
    /// Every connection, open or opening.
    private var count = 0
    private var busy: [ObjectIdentifier: LeanHTTPConnection] = [:]
    private var waiting = Deque<LeanPost>()
    private var sweep: Scheduled<Void>?
    private var closed = false

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func send(_ post: LeanPost, via pool: LeanHTTPPool, fresh: Bool = false) {
        guard !closed, !pool.isClosed else {
            post.finish(.outcome(post.reader.outcome(after: LeanHTTPError.closing)))
            return
        }
        guard !post.isDone else { return }
        startSweep(pool)
        if !fresh, let connection = takeIdle() {
            run(post, on: connection, via: pool)
        } else if count < pool.maxConnectionsPerLoop || fresh {
            open(for: post, via: pool)
        } else {
            waiting.append(post)
        }
    }

    private func takeIdle() -> LeanHTTPConnection? {
        while let connection = idle.popLast() {
            if connection.isActive { return connection }
        }
        return nil
    }

    private func run(_ post: LeanPost, on connection: LeanHTTPConnection, via pool: LeanHTTPPool) {
        busy[ObjectIdentifier(connection)] = connection
        if !connection.run(post) {
            busy[ObjectIdentifier(connection)] = nil
            freed(connection, via: pool)
        }
    }

    private func open(for post: LeanPost, via pool: LeanHTTPPool) {
        count += 1
        pool.connect(on: loop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let connection):
                if self.closed {
                    connection.close()
                    post.finish(.outcome(post.reader.outcome(after: LeanHTTPError.closing)))
                } else if post.isDone {
                    self.freed(connection, via: pool)
                } else {
                    self.run(post, on: connection, via: pool)
                }
            case .failure(let error):
                self.count -= 1
                post.finish(.outcome(post.reader.outcome(after: error)))
                // The ones waiting get a connection of their own (or fail the same way).
                if let next = self.nextWaiting() { self.open(for: next, via: pool) }
            }
        }
    }

    private func nextWaiting() -> LeanPost? {
        while let post = waiting.popFirst() {
            if !post.isDone { return post }
        }
        return nil
    }

    /// A connection finished an answer and can take the next POST.
    func freed(_ connection: LeanHTTPConnection, via pool: LeanHTTPPool) {
        busy[ObjectIdentifier(connection)] = nil
        guard !closed else {
            connection.close()
            return
        }
        if let next = nextWaiting() {
            run(next, on: connection, via: pool)
        } else {
            idle.append(connection)
        }
    }

    /// A connection closed.
    func lost(_ connection: LeanHTTPConnection, via pool: LeanHTTPPool) {
        count -= 1
        busy[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
        if !closed, let next = nextWaiting() { open(for: next, via: pool) }
    }

    /// Ends POSTs past their deadline, closes connections idle too long, and stops when there
    /// is nothing left to watch.
    private func startSweep(_ pool: LeanHTTPPool) {
        guard sweep == nil, !closed else { return }
        sweep = loop.assumeIsolated().scheduleTask(in: LeanHTTPPool.sweepInterval) { [self] in
            sweep = nil
            sweepOnce(pool)
        }
    }

    private func sweepOnce(_ pool: LeanHTTPPool) {
        let now = NIODeadline.now()
        for connection in busy.values {
            if let deadline = connection.deadline, deadline <= now, let post = connection.currentPost {
                connection.abort(post, because: .timedOut)
            }
        }
        waiting.removeAll { post in
            if post.isDone { return true }
            guard post.deadline <= now else { return false }
            post.finish(.outcome(.timedOut))
            return true
        }
        let stale = idle.filter { now - $0.idleSince > LeanHTTPPool.idleTimeout }
        for connection in stale { connection.close() }
        if count > 0 || !waiting.isEmpty { startSweep(pool) }
    }

    func close() {
        closed = true
        sweep?.cancel()
        sweep = nil
        for connection in idle { connection.close() }
        idle.removeAll()
        let left = waiting
        waiting.removeAll()
        for post in left { post.finish(.outcome(post.reader.outcome(after: LeanHTTPError.closing))) }
    }
}
