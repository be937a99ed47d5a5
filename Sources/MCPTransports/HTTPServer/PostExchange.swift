import JSONRPC
import NIOCore

/// The HTTP side of one POST that carried requests: where their responses and related messages go.
struct PostExchange {
    enum Mode {
        /// Nothing answered yet: the first outbound message picks JSON or an event stream.
        case undecided
        /// Answering with `text/event-stream` on this stream.
        case streaming(Int)
        /// The client's connection is gone; the stream (if one was started) keeps buffering.
        case detached(Int?)
    }

    let responder: HTTPResponder
    var mode = Mode.undecided
    /// Requests of the POST not answered yet.
    var outstanding: Set<JSONRPCID>
    /// Responses held for a batch answered as JSON.
    var collected: [ByteBuffer] = []
    let isBatch: Bool
    let acceptance: HTTPHeaderRules.Acceptance
    /// The POST is the `initialize` that created the session: its answer carries `Mcp-Session-Id`.
    let createsSession: Bool

    /// The connection is open and waiting for, or streaming, the answer.
    var isLive: Bool {
        if case .detached = mode { return false }
        return true
    }
}
