import NIOCore

/// The recent events of one Streamable HTTP session, across all its streams, bounded both in
/// count and in bytes: the source for `Last-Event-ID` replay and for messages that wait for a
/// GET stream to open.
struct SessionReplayBuffer {
    /// One encoded event and where it belongs.
    struct Entry {
        var stream: Int
        var sequence: Int
        var bytes: ByteBuffer
    }

    private var entries: CircularBuffer<Entry>
    private let maxEvents: Int
    private let maxBytes: Int
    private(set) var byteCount = 0

    init(maxEvents: Int, maxBytes: Int) {
        self.maxEvents = max(maxEvents, 0)
        self.maxBytes = max(maxBytes, 0)
        entries = CircularBuffer(initialCapacity: min(max(maxEvents, 1), 1024))
    }

    var count: Int { entries.count }

    /// Adds an event and returns the oldest ones pushed out to stay within the bounds (the new
    /// event itself when the buffer holds nothing).
    mutating func append(_ entry: Entry) -> [Entry] {
        guard maxEvents > 0 else { return [entry] }
        entries.append(entry)
        byteCount += entry.bytes.readableBytes
        var evicted: [Entry] = []
        while entries.count > maxEvents || (byteCount > maxBytes && entries.count > 1) {
            let old = entries.removeFirst()
            byteCount -= old.bytes.readableBytes
            evicted.append(old)
        }
        return evicted
    }

    /// Removes the oldest events until at least `bytes` bytes are freed or none are left; returns them.
    mutating func removeOldest(atLeast bytes: Int) -> [Entry] {
        var removed: [Entry] = []
        var freed = 0
        while freed < bytes, !entries.isEmpty {
            let old = entries.removeFirst()
            byteCount -= old.bytes.readableBytes
            freed += old.bytes.readableBytes
            removed.append(old)
        }
        return removed
    }

    /// The events of `stream` with a sequence number above `sequence`, oldest first.
    func events(of stream: Int, after sequence: Int) -> [Entry] {
        entries.filter { $0.stream == stream && $0.sequence > sequence }
    }

    /// Forgets everything.
    mutating func removeAll() {
        entries.removeAll()
        byteCount = 0
    }
}
