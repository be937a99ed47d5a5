import NIOCore

/// Strict RFC 8259 scanner: validates the whole frame and extracts the JSON-RPC envelope in one
/// pass, without building a tree. Heap allocations happen only for extracted strings (ids, name,
/// uri, tokens) too long to be stored inline (over 15 UTF-8 bytes), for `.other` method names and
/// for the element array of a batch.
public struct JSONRPCScanner: Sendable {
    /// The limits enforced on every frame.
    public var limits: ScanLimits

    /// Creates a scanner.
    public init(limits: ScanLimits = .default) {
        self.limits = limits
    }

    /// Scans one frame: a message object, or a batch (JSON array) whose elements are validated one by one.
    /// Invalid JSON anywhere in the frame fails the whole frame with `.parseError`.
    public func scan(_ buffer: ByteBuffer) throws(JSONRPCScanError) -> ScannedFrame {
        try withCursor(buffer) { (cursor) throws(JSONRPCScanError) in try cursor.scanFrame(buffer) }
    }

    /// Scans one message; a batch is rejected with `.invalidRequest`.
    public func scanMessage(_ buffer: ByteBuffer) throws(JSONRPCScanError) -> JSONRPCMessage {
        try withCursor(buffer) { (cursor) throws(JSONRPCScanError) in try cursor.scanSingle(buffer) }
    }

    /// Checks the size limit, then runs `body` with a cursor over the readable bytes.
    @inline(__always)
    private func withCursor<T>(
        _ buffer: ByteBuffer, _ body: (inout JSONCursor) throws(JSONRPCScanError) -> T
    ) throws(JSONRPCScanError) -> T {
        try checkSize(buffer)
        let maxDepth = limits.maxDepth
        return try buffer.withUnsafeReadableBytes { (raw) throws(JSONRPCScanError) -> T in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
                throw JSONRPCScanError.empty
            }
            var cursor = JSONCursor(base: base, count: raw.count, maxDepth: maxDepth)
            return try body(&cursor)
        }
    }

    private func checkSize(_ buffer: ByteBuffer) throws(JSONRPCScanError) {
        let count = buffer.readableBytes
        guard count <= limits.maxMessageBytes else {
            throw JSONRPCScanError(
                kind: .messageTooLarge,
                message: "the message is \(count) bytes, over the limit of \(limits.maxMessageBytes); send less data per message or raise ScanLimits.maxMessageBytes",
                offset: limits.maxMessageBytes)
        }
    }
}

extension JSONRPCScanError {
    /// The error for a frame with no bytes at all.
    static let empty = JSONRPCScanError(
        kind: .parseError, message: "invalid JSON at byte 0: the message is empty; send one JSON-RPC object", offset: 0)
}

extension JSONCursor {
    /// Scans a whole frame from `pos`: a batch if it starts with `[`, else one message.
    mutating func scanFrame(_ buffer: ByteBuffer) throws(JSONRPCScanError) -> ScannedFrame {
        skipWhitespace()
        if peek(UInt8(ascii: "[")) {
            return try scanBatch(buffer)
        }
        return .single(try scanSingle(buffer))
    }

    /// Scans a whole frame from `pos` that must be one message object.
    @inline(__always)
    mutating func scanSingle(_ buffer: ByteBuffer) throws(JSONRPCScanError) -> JSONRPCMessage {
        skipWhitespace()
        guard pos < end else {
            throw syntaxError("the message is empty (only whitespace); send one JSON-RPC object", at: pos)
        }
        let start = pos
        guard base[pos] == UInt8(ascii: "{") else {
            let kind = try skipValue(parentDepth: 0)
            try expectEnd()
            if kind == .array {
                throw JSONRPCScanError(
                    kind: .invalidRequest,
                    message: "invalid JSON-RPC message at byte \(start): a batch (JSON array) is not accepted here; batches exist only in protocol 2025-03-26, send one message per frame",
                    offset: start)
            }
            throw JSONRPCScanError(
                kind: .invalidRequest,
                message: "invalid JSON-RPC message at byte \(start): a message must be a JSON object, found \(kind.article)",
                offset: start)
        }
        let scan = try scanEnvelope(parentDepth: 0)
        let stop = pos
        try expectEnd()
        return JSONRPCMessage(
            bytes: JSONCursor.slice(buffer, start, stop), envelope: try buildEnvelope(scan, messageStart: start))
    }

    /// At `[`: a batch. Element problems become failures; invalid JSON fails the frame.
    private mutating func scanBatch(_ buffer: ByteBuffer) throws(JSONRPCScanError) -> ScannedFrame {
        let batchStart = pos
        guard try enterArray(depth: 1) else {
            try expectEnd()
            throw JSONRPCScanError(
                kind: .emptyBatch,
                message: "invalid JSON-RPC message at byte \(batchStart): the batch is an empty array; send at least one message",
                offset: batchStart)
        }
        var results: [Result<JSONRPCMessage, JSONRPCScanError>] = []
        var index = 0
        repeat {
            let start = pos
            if peek(UInt8(ascii: "{")) {
                let scan = try scanEnvelope(parentDepth: 1)
                do {
                    let envelope = try buildEnvelope(scan, messageStart: start)
                    results.append(.success(JSONRPCMessage(bytes: JSONCursor.slice(buffer, start, pos), envelope: envelope)))
                } catch {
                    var error = error
                    error.message = "batch element \(index): " + error.message
                    results.append(.failure(error))
                }
            } else {
                let kind = try skipValue(parentDepth: 1)
                results.append(
                    .failure(
                        JSONRPCScanError(
                            kind: .invalidRequest,
                            message: "batch element \(index): invalid JSON-RPC message at byte \(start): a batch element must be a JSON object, found \(kind.article)",
                            offset: start)))
            }
            index += 1
        } while try nextElement()
        try expectEnd()
        return .batch(results)
    }

    /// Zero-copy slice of `start..<stop` (offsets from the reader index).
    static func slice(_ buffer: ByteBuffer, _ start: Int, _ stop: Int) -> ByteBuffer {
        buffer.getSlice(at: buffer.readerIndex + start, length: stop - start) ?? ByteBuffer()
    }
}
