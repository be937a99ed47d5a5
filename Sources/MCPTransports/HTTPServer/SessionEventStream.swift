/// One logical event stream of a session: stream 0 is the GET stream, every POST answered with
/// `text/event-stream` gets its own. It outlives its connection so a client can resume it.
struct SessionEventStream {
    /// The connection events are written to now, if one is open.
    var connection: HTTPResponder?
    var nextSequence = 1
    /// The last sequence number handed to a connection.
    var lastWritten = 0
    /// The stream's last event (the response) was produced.
    var finished = false
    /// Events of this stream still in the replay buffer.
    var buffered = 0
}
