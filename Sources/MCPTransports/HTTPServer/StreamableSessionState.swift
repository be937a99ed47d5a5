import JSONRPC
import NIOCore
import NIOHTTP1

/// Everything a Streamable HTTP session tracks, behind the session's lock. Methods only change
/// values and enqueue writes on responders (which never call back synchronously).
struct StreamableSessionState {
    var open = true
    var protocolVersion: ProtocolVersion?
    var initializeRequest: JSONRPCID?
    var exchanges: [Int: PostExchange] = [:]
    var nextExchange = 1
    var exchangeOfRequest: [JSONRPCID: Int] = [:]
    var requestOfProgressToken: [JSONRPCID: JSONRPCID] = [:]
    var progressTokenOfRequest: [JSONRPCID: JSONRPCID] = [:]
    var streams: [Int: SessionEventStream] = [0: SessionEventStream()]
    var nextStream = 1
    var standalone: HTTPResponder?
    /// What feeds ``standalone`` from the replicas' shared log, with a ``SessionRelay``.
    var relayFeed: (any SessionRelayAttachment)?
    var replay: SessionReplayBuffer
    var lastActivity: NIODeadline
    /// Events pushed out of the replay buffer before any connection took them, since the last report.
    var droppedUndelivered = 0
    /// The drops were already logged once (until a GET stream opens again).
    var dropsReported = false

    init(settings: FrontStreamSettings) {
        replay = SessionReplayBuffer(maxEvents: settings.replayBufferEvents, maxBytes: settings.maxQueuedBytesPerStream)
        lastActivity = .now()
        if let relay = settings.relay { nextStream = relay.tag.streamBase + 1 }
    }

    /// True when no connection of the client is open.
    var hasNoConnection: Bool {
        standalone == nil && !exchanges.values.contains { $0.isLive }
            && !streams.values.contains { $0.connection != nil }
    }

    // MARK: Streams

    /// Appends one message as an event of `stream`: writes it to the stream's connection if one is
    /// open and keeps it for replay.
    mutating func appendEvent(_ message: ByteBuffer, to stream: Int) {
        guard var current = streams[stream] else { return }
        let sequence = current.nextSequence
        current.nextSequence += 1
        let bytes = SSEEncoder.encode(id: SSEEventID(stream: stream, sequence: sequence).text, event: nil, data: message)
        if let connection = current.connection {
            if connection.write(bytes) {
                current.lastWritten = sequence
            } else {
                // Cut off for reading too slowly: the event stays in the replay buffer.
                current.connection = nil
                if standalone === connection { standalone = nil }
            }
        }
        current.buffered += 1
        streams[stream] = current
        for old in replay.append(SessionReplayBuffer.Entry(stream: stream, sequence: sequence, bytes: bytes)) {
            forget(old)
        }
    }

    /// Drops the oldest replayable events until at least `bytes` bytes are freed (for the
    /// front's total replay budget); returns how many events and bytes.
    mutating func shedReplay(atLeast bytes: Int) -> (events: Int, bytes: Int) {
        let before = replay.byteCount
        let removed = replay.removeOldest(atLeast: bytes)
        for old in removed { forget(old) }
        return (removed.count, before - replay.byteCount)
    }

    /// Accounts for an event that left the replay buffer.
    private mutating func forget(_ entry: SessionReplayBuffer.Entry) {
        guard var owner = streams[entry.stream] else { return }
        owner.buffered -= 1
        if entry.sequence > owner.lastWritten { droppedUndelivered += 1 }
        if entry.stream != 0 && owner.finished && owner.buffered <= 0 && owner.connection == nil {
            streams[entry.stream] = nil
        } else {
            streams[entry.stream] = owner
        }
    }

    /// Writes the kept events of `stream` after `sequence` to `connection`.
    mutating func replay(_ stream: Int, after sequence: Int, to connection: HTTPResponder) {
        let events = replay.events(of: stream, after: sequence)
        for event in events { connection.write(event.bytes) }
        if let last = events.last, var current = streams[stream] {
            current.lastWritten = max(current.lastWritten, last.sequence)
            streams[stream] = current
        }
    }

    /// Starts a new stream answering exchange `number` and returns its number.
    mutating func startStream(for number: Int, sessionID: String, settings: FrontStreamSettings) -> Int? {
        guard var exchange = exchanges[number] else { return nil }
        let stream = nextStream
        nextStream += 1
        streams[stream] = SessionEventStream(connection: exchange.responder)
        exchange.mode = .streaming(stream)
        var headers = HTTPHeaders()
        if exchange.createsSession { headers.add(name: "mcp-session-id", value: sessionID) }
        exchange.responder.startStream(extraHeaders: headers, keepAliveInterval: settings.keepAliveInterval)
        let held = exchange.collected
        exchange.collected = []
        exchanges[number] = exchange
        for message in held { appendEvent(message, to: stream) }
        return stream
    }

    /// The stream's last event was written: end its connection (unless that is also the GET stream).
    mutating func finishStream(_ stream: Int) {
        guard var current = streams[stream] else { return }
        current.finished = true
        if let connection = current.connection, connection !== standalone {
            connection.endStream()
        }
        current.connection = nil
        streams[stream] = current.buffered > 0 ? current : nil
    }

    /// Makes `connection` the GET stream and gives it what waited for one.
    mutating func attachStandalone(_ connection: HTTPResponder, after sequence: Int?) {
        standalone = connection
        dropsReported = false
        var main = streams[0] ?? SessionEventStream()
        main.connection = connection
        streams[0] = main
        replay(0, after: sequence ?? main.lastWritten, to: connection)
    }

    // MARK: Requests

    /// Forgets request `id` once answered; returns its exchange number.
    mutating func settle(_ id: JSONRPCID) -> Int? {
        guard let number = exchangeOfRequest.removeValue(forKey: id) else { return nil }
        if let token = progressTokenOfRequest.removeValue(forKey: id) {
            requestOfProgressToken[token] = nil
        }
        exchanges[number]?.outstanding.remove(id)
        return number
    }

    /// The exchange a message related to client request `id` belongs to, if still open.
    func exchange(relatedTo id: JSONRPCID?) -> Int? {
        guard let id else { return nil }
        return exchangeOfRequest[id]
    }
}
