import NIOCore

/// The start of a response body, kept for an error message: up to 300 bytes as one line of text.
struct BodyExcerpt: Sendable {
    /// How many bytes of the body an error message quotes.
    static let limit = 300

    private var collected = ""

    /// Whether enough was collected; later chunks may be dropped unread.
    var isFull: Bool { collected.utf8.count >= Self.limit }

    /// Adds a chunk unless the excerpt is full already.
    mutating func append(_ chunk: ByteBuffer) {
        guard !isFull else { return }
        collected += String(buffer: chunk)
    }

    /// What was collected, untrimmed (a body that broke off).
    var rawText: String { collected }

    /// At most 300 bytes (an ellipsis marks a cut), line breaks turned into spaces.
    var text: String {
        let trimmed = collected.utf8.count > Self.limit
            ? String(decoding: Array(collected.utf8.prefix(Self.limit)), as: UTF8.self) + "…"
            : collected
        return trimmed.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
