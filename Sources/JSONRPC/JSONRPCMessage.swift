import NIOCore

/// One validated message: its exact bytes and its envelope.
public struct JSONRPCMessage: Sendable {
    /// Exactly the message (no surrounding whitespace or newline).
    public let bytes: ByteBuffer
    /// What the scanner found; ranges are relative to `bytes.readerIndex`.
    public let envelope: Envelope

    /// Pairs bytes with their envelope (the scanner does this; tests and fakes may too).
    public init(bytes: ByteBuffer, envelope: Envelope) {
        self.bytes = bytes
        self.envelope = envelope
    }

    /// The bytes of `range` as a zero-copy slice; empty if the range lies outside the message.
    public func slice(_ range: Range<Int>) -> ByteBuffer {
        guard range.lowerBound >= 0, range.upperBound <= bytes.readableBytes,
            let slice = bytes.getSlice(at: bytes.readerIndex + range.lowerBound, length: range.count)
        else { return ByteBuffer() }
        return slice
    }

    /// A copy of the bytes of `range`; empty if the range lies outside the message.
    public func rawBytes(_ range: Range<Int>) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.readableBytes else { return [] }
        return bytes.getBytes(at: bytes.readerIndex + range.lowerBound, length: range.count) ?? []
    }

    /// The id token exactly as sent, if the message has one.
    public var idBytes: [UInt8]? {
        envelope.idRange.map(rawBytes)
    }

    /// New bytes with the edits applied (any order); everything else is byte-for-byte identical.
    ///
    /// Edits are expected to come from this message's envelope ranges. Defensive behaviour for
    /// anything else: ranges are clamped to the message, and an edit that overlaps an earlier one
    /// (in offset order) is skipped. Use `validatedSplicing(_:)` to be told instead.
    public func splicing(_ edits: [ByteSplice]) -> ByteBuffer {
        let length = bytes.readableBytes
        var ordered = edits.map { edit -> ByteSplice in
            let lower = min(max(edit.range.lowerBound, 0), length)
            let upper = min(max(edit.range.upperBound, lower), length)
            return ByteSplice(range: lower..<upper, replacement: edit.replacement)
        }
        ordered.sort { $0.range.lowerBound < $1.range.lowerBound }
        var kept: [ByteSplice] = []
        kept.reserveCapacity(ordered.count)
        var end = 0
        for edit in ordered where edit.range.lowerBound >= end {
            kept.append(edit)
            end = edit.range.upperBound
        }
        return apply(sortedDisjoint: kept)
    }

    /// New bytes with one range replaced.
    public func splicing(_ range: Range<Int>, with replacement: [UInt8]) -> ByteBuffer {
        splicing([ByteSplice(range: range, replacement: replacement)])
    }

    /// Like `splicing(_:)`, but throws instead of clamping out-of-range or skipping overlapping edits.
    public func validatedSplicing(_ edits: [ByteSplice]) throws(ByteSpliceError) -> ByteBuffer {
        let length = bytes.readableBytes
        let ordered = edits.sorted { $0.range.lowerBound < $1.range.lowerBound }
        var end = 0
        for edit in ordered {
            guard edit.range.lowerBound >= 0, edit.range.upperBound <= length else {
                throw ByteSpliceError(
                    edit: edit,
                    message: "splice range \(edit.range) lies outside the \(length)-byte message; use ranges from this message's envelope")
            }
            guard edit.range.lowerBound >= end else {
                throw ByteSpliceError(
                    edit: edit,
                    message: "splice range \(edit.range) overlaps an earlier edit ending at \(end); merge overlapping edits into one")
            }
            end = edit.range.upperBound
        }
        return apply(sortedDisjoint: ordered)
    }

    /// Replaces `envelope.idRange` with `newID`; returns the bytes unchanged (copied) if there is no id.
    public func replacingID(with newID: [UInt8]) -> ByteBuffer {
        guard let range = envelope.idRange else { return splicing([]) }
        return splicing(range, with: newID)
    }

    /// Builds the output: exact capacity, one pass over the source.
    private func apply(sortedDisjoint edits: [ByteSplice]) -> ByteBuffer {
        let length = bytes.readableBytes
        var total = length
        for edit in edits {
            total += edit.replacement.count - edit.range.count
        }
        var output = ByteBufferAllocator().buffer(capacity: total)
        bytes.withUnsafeReadableBytes { source in
            var cursor = 0
            for edit in edits {
                output.writeBytes(UnsafeRawBufferPointer(rebasing: source[cursor..<edit.range.lowerBound]))
                output.writeBytes(edit.replacement)
                cursor = edit.range.upperBound
            }
            output.writeBytes(UnsafeRawBufferPointer(rebasing: source[cursor..<length]))
        }
        return output
    }
}
