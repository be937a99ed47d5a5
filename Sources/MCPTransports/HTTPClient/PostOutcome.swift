/// How one POST of a `StreamableHTTPClientTransport` (with its response stream) ended.
enum PostOutcome: Sendable {
    /// Delivered; any response that came was routed.
    case finished
    /// 404 to a request that carried the session id: the server dropped the session.
    case sessionExpired
    /// Not delivered or not answered; `status` is the HTTP status when there was one.
    case failed(String, status: Int?)
    /// The request's time ran out (the deadline of the whole exchange).
    case timedOut
    /// The event stream of a request broke before its response, after an event with an id:
    /// resuming it with GET and `Last-Event-ID` may still bring the response.
    case broken(StreamBreak)
}

/// Where a request's event stream broke: what resuming it needs.
struct StreamBreak: Sendable {
    /// The id of the last event received.
    var lastEventID: String
    /// The server's `retry` in milliseconds, if it sent one.
    var retryMilliseconds: Int?
}
