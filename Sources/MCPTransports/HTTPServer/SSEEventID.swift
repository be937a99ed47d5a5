/// An SSE event id: `<stream>-<sequence>`, unique within a session and naming its stream.
struct SSEEventID: Equatable {
    var stream: Int
    var sequence: Int

    var text: String { "\(stream)-\(sequence)" }

    /// Parses an id this front issued; nil for anything else.
    init?(_ text: String) {
        let parts = text.httpTrimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let stream = Int(parts[0]), let sequence = Int(parts[1]), stream >= 0, sequence >= 0 else {
            return nil
        }
        self.stream = stream
        self.sequence = sequence
    }

    init(stream: Int, sequence: Int) {
        self.stream = stream
        self.sequence = sequence
    }
}
