import NIOCore

/// An incremental parser for `text/event-stream` bodies, following the WHATWG HTML rules.
///
/// Lines may end in CRLF, LF or CR (also when a CRLF pair is split across chunks). Comment lines
/// (`:` first) are ignored, `data` lines are joined with LF, `id` (without NUL) sets the last event
/// id, `retry` (ASCII digits only) sets the reconnection time, unknown fields are ignored, and one
/// leading space after the colon is dropped. A blank line dispatches the event; an event whose data
/// buffer is empty is not dispatched, but its id still becomes the last event id. A leading UTF-8
/// byte order mark is skipped. At the end of the stream an unfinished event is discarded (call
/// `finish()`): it may be cut in the middle, and its id was never confirmed, so a resumption with
/// `Last-Event-ID` fetches it again.
///
/// Single-line data is handed out as a zero-copy slice (of the fed chunk when the line lies within it).
public struct ServerSentEventParser: Sendable {
    /// Largest data of one event; beyond it the event is reported as `.oversized`.
    public let maxEventBytes: Int
    /// The last event id confirmed by a dispatch (empty when none).
    public private(set) var lastEventID: String = ""
    /// The reconnection time in milliseconds from the last valid `retry` field, if any.
    public private(set) var reconnectionTime: Int?

    /// Bytes of a line that spans chunks.
    private var pendingLine: [UInt8] = []
    /// The pending line is longer than any useful line; its bytes are being skipped.
    private var skippingLine = false
    /// The last chunk ended with CR: an LF that starts the next chunk belongs to it.
    private var skipLeadingLF = false
    /// No line has been completed yet (a byte order mark may open the stream).
    private var atStreamStart = true
    /// The `id` value seen in the current event (WHATWG's "last event ID buffer").
    private var idBuffer: String = ""
    private var eventType: String?
    private var data = EventData.none
    private var dataLineCount = 0
    private var dataByteCount = 0
    private var dataOversized = false

    private enum EventData {
        case none
        case slice(ByteBuffer)
        case owned(ByteBuffer)
    }

    /// Creates a parser that reports events with more than `maxEventBytes` of data as oversized.
    public init(maxEventBytes: Int = 16 << 20) {
        self.maxEventBytes = max(maxEventBytes, 0)
    }

    /// Parses `chunk` and calls `emit` for every event it completes, in order.
    public mutating func feed(_ chunk: ByteBuffer, _ emit: (ServerSentEventOutput) throws -> Void) rethrows {
        let count = chunk.readableBytes
        guard count > 0 else { return }
        var position = 0
        if skipLeadingLF {
            skipLeadingLF = false
            if chunk.getInteger(at: chunk.readerIndex, as: UInt8.self) == UInt8(ascii: "\n") { position = 1 }
        }
        while position < count {
            guard let lineEnd = Self.findLineEnd(in: chunk, from: position) else {
                appendPending(chunk, from: position, to: count)
                return
            }
            if pendingLine.isEmpty && !skippingLine {
                try processLine(chunk: chunk, start: position, end: lineEnd, emit)
            } else {
                appendPending(chunk, from: position, to: lineEnd)
                try processPendingLine(emit)
            }
            position = lineEnd + 1
            if chunk.getInteger(at: chunk.readerIndex + lineEnd, as: UInt8.self) == UInt8(ascii: "\r") {
                if position == count {
                    skipLeadingLF = true
                } else if chunk.getInteger(at: chunk.readerIndex + position, as: UInt8.self) == UInt8(ascii: "\n") {
                    position += 1
                }
            }
        }
    }

    /// Ends the stream: an event without its closing blank line, and a line without its end, are discarded.
    public mutating func finish() {
        pendingLine.removeAll()
        skippingLine = false
        skippingDataLine = false
        skipLeadingLF = false
        resetEvent()
    }

    // MARK: Lines

    /// The offset of the next CR or LF at or after `start`.
    private static func findLineEnd(in chunk: ByteBuffer, from start: Int) -> Int? {
        chunk.withUnsafeReadableBytes { bytes -> Int? in
            var index = start
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { return index }
                index += 1
            }
            return nil
        }
    }

    /// Longest line kept; a longer one can only be an oversized data line (or junk) and is skipped.
    private var lineLimit: Int { maxEventBytes + 64 }

    private mutating func appendPending(_ chunk: ByteBuffer, from start: Int, to end: Int) {
        guard end > start else { return }
        if skippingLine {
            if skippingDataLine { dataByteCount += end - start }
            return
        }
        chunk.withUnsafeReadableBytes { bytes in
            pendingLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        }
        guard pendingLine.count > lineLimit else { return }
        skippingLine = true
        skippingDataLine = Self.isDataLine(pendingLine)
        if skippingDataLine {
            let space = pendingLine[5] == UInt8(ascii: " ") ? 1 : 0
            dataByteCount += (dataLineCount > 0 ? 1 : 0) + pendingLine.count - 5 - space
            dataLineCount += 1
            dataOversized = true
            data = .none
        }
        pendingLine.removeAll(keepingCapacity: false)
    }

    /// Whether the line being skipped is a data line (its length counts toward the event).
    private var skippingDataLine = false

    private static func isDataLine(_ line: [UInt8]) -> Bool {
        line.count >= 5 && line[0] == UInt8(ascii: "d") && line[1] == UInt8(ascii: "a")
            && line[2] == UInt8(ascii: "t") && line[3] == UInt8(ascii: "a") && line[4] == UInt8(ascii: ":")
    }

    private mutating func processPendingLine(_ emit: (ServerSentEventOutput) throws -> Void) rethrows {
        if skippingLine {
            skippingLine = false
            skippingDataLine = false
            atStreamStart = false
            return
        }
        // The line's own buffer: its data is sliced from it, not copied again.
        let line = ByteBuffer(bytes: pendingLine)
        pendingLine.removeAll(keepingCapacity: true)
        try processLine(chunk: line, start: 0, end: line.readableBytes, emit)
    }

    /// Handles one complete line `chunk[start..<end]` (offsets relative to the reader index).
    private mutating func processLine(
        chunk: ByteBuffer, start: Int, end: Int, _ emit: (ServerSentEventOutput) throws -> Void
    ) rethrows {
        var start = start
        if atStreamStart {
            atStreamStart = false
            if end - start >= 3, chunk.getBytes(at: chunk.readerIndex + start, length: 3) == [0xEF, 0xBB, 0xBF] {
                start += 3
            }
        }
        if start == end {
            try dispatch(emit)
            return
        }
        let base = chunk.readerIndex
        guard let first = chunk.getInteger(at: base + start, as: UInt8.self), first != UInt8(ascii: ":") else {
            return  // comment
        }
        let colon = chunk.withUnsafeReadableBytes { bytes -> Int? in
            var index = start
            while index < end {
                if bytes[index] == UInt8(ascii: ":") { return index }
                index += 1
            }
            return nil
        }
        let nameEnd = colon ?? end
        var valueStart = colon.map { $0 + 1 } ?? end
        if valueStart < end, chunk.getInteger(at: base + valueStart, as: UInt8.self) == UInt8(ascii: " ") {
            valueStart += 1
        }
        let field = Field(chunk, start, nameEnd)
        switch field {
        case .data:
            appendData(chunk, valueStart, end)
        case .event:
            eventType = chunk.getString(at: base + valueStart, length: end - valueStart) ?? ""
        case .id:
            let hasNul = chunk.withUnsafeReadableBytes { bytes in
                bytes[valueStart..<end].contains(0)
            }
            if !hasNul {
                idBuffer = chunk.getString(at: base + valueStart, length: end - valueStart) ?? ""
            }
        case .retry:
            setRetry(chunk, valueStart, end)
        case .unknown:
            break
        }
    }

    private enum Field {
        case data, event, id, retry, unknown

        init(_ chunk: ByteBuffer, _ start: Int, _ end: Int) {
            self = chunk.withUnsafeReadableBytes { bytes -> Field in
                let name = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                if name.elementsEqual("data".utf8) { return .data }
                if name.elementsEqual("event".utf8) { return .event }
                if name.elementsEqual("id".utf8) { return .id }
                if name.elementsEqual("retry".utf8) { return .retry }
                return .unknown
            }
        }
    }

    private mutating func setRetry(_ chunk: ByteBuffer, _ start: Int, _ end: Int) {
        guard end > start else { return }
        let value = chunk.withUnsafeReadableBytes { bytes -> Int? in
            var total = 0
            for byte in bytes[start..<end] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let (times, overflowA) = total.multipliedReportingOverflow(by: 10)
                let (sum, overflowB) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                if overflowA || overflowB { return nil }
                total = sum
            }
            return total
        }
        if let value { reconnectionTime = value }
    }

    // MARK: Events

    private mutating func appendData(_ chunk: ByteBuffer, _ start: Int, _ end: Int) {
        let length = end - start
        let separator = dataLineCount > 0 ? 1 : 0
        dataLineCount += 1
        dataByteCount += separator + length
        guard !dataOversized else { return }
        guard dataByteCount <= maxEventBytes else {
            dataOversized = true
            data = .none
            return
        }
        switch data {
        case .none:
            data = .slice(chunk.getSlice(at: chunk.readerIndex + start, length: length) ?? ByteBuffer())
        case .slice(let first):
            var buffer = ByteBufferAllocator().buffer(capacity: first.readableBytes + 1 + length)
            buffer.writeImmutableBuffer(first)
            buffer.writeInteger(UInt8(ascii: "\n"))
            buffer.writeImmutableBuffer(chunk.getSlice(at: chunk.readerIndex + start, length: length) ?? ByteBuffer())
            data = .owned(buffer)
        case .owned(var buffer):
            data = .none
            buffer.writeInteger(UInt8(ascii: "\n"))
            buffer.writeImmutableBuffer(chunk.getSlice(at: chunk.readerIndex + start, length: length) ?? ByteBuffer())
            data = .owned(buffer)
        }
    }

    private mutating func dispatch(_ emit: (ServerSentEventOutput) throws -> Void) rethrows {
        lastEventID = idBuffer
        guard dataLineCount > 0 else {
            resetEvent()
            return
        }
        let type = eventType.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
        let output: ServerSentEventOutput
        if dataOversized {
            output = .oversized(type: type, byteCount: dataByteCount, lastEventID: lastEventID)
        } else {
            let payload: ByteBuffer
            switch data {
            case .none: payload = ByteBuffer()
            case .slice(let buffer), .owned(let buffer): payload = buffer
            }
            output = .event(ServerSentEvent(type: type, data: payload, lastEventID: lastEventID))
        }
        resetEvent()
        try emit(output)
    }

    private mutating func resetEvent() {
        eventType = nil
        data = .none
        dataLineCount = 0
        dataByteCount = 0
        dataOversized = false
    }
}
