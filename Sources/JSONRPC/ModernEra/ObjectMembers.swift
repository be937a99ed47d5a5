import NIOCore

/// One member of a JSON object inside a message, as offsets relative to the message's first byte.
struct RawMember: Equatable {
    /// The key token, quotes included.
    var keyRange: Range<Int>
    /// The value.
    var valueRange: Range<Int>
    /// The decoded key.
    var key: String
}

/// The members of one object of a scanned message, and the splices that edit that object while
/// every other byte (members kept, their order, the whitespace between them) stays as it was.
/// Works on validated JSON (a scanned message); for internal use by the modern-era builders.
struct ObjectMembers {
    /// The object, `{` to `}` inclusive.
    let range: Range<Int>
    /// Its members in document order, duplicates included.
    let members: [RawMember]

    /// The members of the object at `range` of `buffer`; nil if the range is not an object.
    init?(buffer: ByteBuffer, range: Range<Int>) {
        let count = buffer.readableBytes
        guard range.lowerBound >= 0, range.upperBound <= count, range.count >= 2 else { return nil }
        let found: [RawMember]? = buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self),
                base[range.lowerBound] == UInt8(ascii: "{"), base[range.upperBound - 1] == UInt8(ascii: "}")
            else { return nil }
            var members: [RawMember] = []
            JSONView.forEachMember(base, range) { keyStart, keyEnd, escaped, value in
                let key = JSONStringDecoding.string(base, from: keyStart, to: keyEnd, hasEscapes: escaped)
                members.append(RawMember(keyRange: (keyStart - 1)..<(keyEnd + 1), valueRange: value, key: key))
                return true
            }
            return members
        }
        guard let found else { return nil }
        self.range = range
        self.members = found
    }

    /// The members of the object at `range` of `message`; nil if it is not an object.
    init?(_ message: JSONRPCMessage, _ range: Range<Int>) {
        self.init(buffer: message.bytes, range: range)
    }

    /// The index of the first member named `key`.
    func index(of key: String) -> Int? {
        members.firstIndex { $0.key == key }
    }

    /// The first member named `key`.
    func member(_ key: String) -> RawMember? {
        index(of: key).map { members[$0] }
    }

    /// How many members are named `key` (more than one is a smuggling hazard).
    func count(of key: String) -> Int {
        members.reduce(0) { $0 + ($1.key == key ? 1 : 0) }
    }

    /// The splices that remove the members at `removing`, replace the values of `replacing`,
    /// and insert the member text `atStart` (before the first kept member) and `atEnd` (after
    /// the last kept member); each is one or more comma-separated `"key":value` members without a
    /// leading or trailing comma. Commas are placed so that the result is valid JSON, and the
    /// whitespace of the object is kept, so removing what was inserted gives the original bytes.
    /// The edits come sorted and disjoint (an insertion at the start of a removal is merged into
    /// it), as `JSONRPCMessage.validatedSplicing(_:)` wants.
    func edits(
        removing: Set<Int> = [], replacing: [(index: Int, value: [UInt8])] = [],
        atStart: [UInt8] = [], atEnd: [UInt8] = []
    ) -> [ByteSplice] {
        var edits: [ByteSplice] = []
        let kept = members.indices.filter { !removing.contains($0) }
        if let first = kept.first, let last = kept.last {
            if !atStart.isEmpty {
                let at = members[first].keyRange.lowerBound
                edits.append(ByteSplice(range: at..<at, replacement: atStart + [UInt8(ascii: ",")]))
            }
            if !atEnd.isEmpty {
                let at = members[last].valueRange.upperBound
                edits.append(ByteSplice(range: at..<at, replacement: [UInt8(ascii: ",")] + atEnd))
            }
        } else if !atStart.isEmpty || !atEnd.isEmpty {
            var text = atStart
            if !atStart.isEmpty && !atEnd.isEmpty { text.append(UInt8(ascii: ",")) }
            text += atEnd
            let at = range.lowerBound + 1
            edits.append(ByteSplice(range: at..<at, replacement: text))
        }
        // Removals: each maximal run of removed members goes with one separator.
        var index = 0
        while index < members.count {
            guard removing.contains(index) else {
                index += 1
                continue
            }
            var last = index
            while last + 1 < members.count, removing.contains(last + 1) { last += 1 }
            let cut: Range<Int>
            if last + 1 < members.count {
                cut = members[index].keyRange.lowerBound..<members[last + 1].keyRange.lowerBound
            } else if index > 0 {
                cut = members[index - 1].valueRange.upperBound..<members[last].valueRange.upperBound
            } else {
                cut = members[index].keyRange.lowerBound..<members[last].valueRange.upperBound
            }
            edits.append(ByteSplice(range: cut, replacement: []))
            index = last + 1
        }
        for (index, value) in replacing where members.indices.contains(index) && !removing.contains(index) {
            edits.append(ByteSplice(range: members[index].valueRange, replacement: value))
        }
        return ObjectMembers.ordered(edits)
    }

    /// Sorts edits by offset (insertions before a non-empty edit at the same offset) and merges
    /// each insertion into the edit that starts where it is inserted.
    static func ordered(_ edits: [ByteSplice]) -> [ByteSplice] {
        let sorted = edits.enumerated().sorted { lhs, rhs in
            if lhs.element.range.lowerBound != rhs.element.range.lowerBound {
                return lhs.element.range.lowerBound < rhs.element.range.lowerBound
            }
            if lhs.element.range.isEmpty != rhs.element.range.isEmpty { return lhs.element.range.isEmpty }
            return lhs.offset < rhs.offset
        }
        var merged: [ByteSplice] = []
        for (_, edit) in sorted {
            if let previous = merged.last, previous.range.isEmpty, previous.range.lowerBound == edit.range.lowerBound {
                merged[merged.count - 1] = ByteSplice(range: edit.range, replacement: previous.replacement + edit.replacement)
            } else {
                merged.append(edit)
            }
        }
        return merged
    }

    /// `"key":value` as bytes.
    static func memberText(_ key: String, _ value: [UInt8]) -> [UInt8] {
        var bytes = JSONString.encode(key)
        bytes.append(UInt8(ascii: ":"))
        bytes += value
        return bytes
    }

    /// Several `"key":value` members joined by commas.
    static func membersText(_ members: [(key: String, value: [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, member) in members.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += memberText(member.key, member.value)
        }
        return bytes
    }
}
