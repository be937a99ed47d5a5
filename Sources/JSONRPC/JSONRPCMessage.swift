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
    ///
    /// The only heap allocation is the output buffer: the edit order is worked out in stack
    /// space and the bytes are copied in one pass.
    public func splicing(_ edits: [ByteSplice]) -> ByteBuffer {
        let length = bytes.readableBytes
        return withUnsafeTemporaryAllocation(of: PlannedSplice.self, capacity: max(edits.count, 1)) { plan in
            // Clamp, then insertion-sort by start (stable: among equal starts the first edit wins).
            var planned = 0
            for (index, edit) in edits.enumerated() {
                let lower = min(max(edit.range.lowerBound, 0), length)
                let upper = min(max(edit.range.upperBound, lower), length)
                var slot = planned
                while slot > 0, plan[slot - 1].lower > lower {
                    plan[slot] = plan[slot - 1]
                    slot -= 1
                }
                plan[slot] = PlannedSplice(edit: index, lower: lower, upper: upper)
                planned += 1
            }
            // Drop edits that overlap an earlier one.
            var kept = 0
            var end = 0
            for slot in 0..<planned where plan[slot].lower >= end {
                plan[kept] = plan[slot]
                end = plan[slot].upper
                kept += 1
            }
            return apply(edits, plan: UnsafeBufferPointer(rebasing: plan[0..<kept]))
        }
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

    /// Builds the output for edits in `plan` order (sorted, disjoint, clamped): exact capacity,
    /// one pass over the source, one write into the new buffer.
    private func apply(_ edits: [ByteSplice], plan: UnsafeBufferPointer<PlannedSplice>) -> ByteBuffer {
        var total = bytes.readableBytes
        for step in plan {
            total += edits[step.edit].replacement.count - (step.upper - step.lower)
        }
        var output = ByteBufferAllocator().buffer(capacity: total)
        bytes.withUnsafeReadableBytes { source in
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { target in
                var written = 0
                func copy(_ bytes: UnsafeRawBufferPointer) {
                    guard let from = bytes.baseAddress, let to = target.baseAddress, !bytes.isEmpty else { return }
                    (to + written).copyMemory(from: from, byteCount: bytes.count)
                    written += bytes.count
                }
                var cursor = 0
                for step in plan {
                    copy(UnsafeRawBufferPointer(rebasing: source[cursor..<step.lower]))
                    edits[step.edit].replacement.withUnsafeBytes(copy)
                    cursor = step.upper
                }
                copy(UnsafeRawBufferPointer(rebasing: source[cursor..<source.count]))
                return written
            }
        }
        return output
    }

    /// Builds the output for edits already sorted, disjoint and within the message.
    private func apply(sortedDisjoint edits: [ByteSplice]) -> ByteBuffer {
        withUnsafeTemporaryAllocation(of: PlannedSplice.self, capacity: max(edits.count, 1)) { plan in
            for (index, edit) in edits.enumerated() {
                plan[index] = PlannedSplice(edit: index, lower: edit.range.lowerBound, upper: edit.range.upperBound)
            }
            return apply(edits, plan: UnsafeBufferPointer(rebasing: plan[0..<edits.count]))
        }
    }
}

/// One edit of a splice, clamped and placed: which edit, and the source bytes it replaces.
struct PlannedSplice {
    var edit: Int
    var lower: Int
    var upper: Int
}
