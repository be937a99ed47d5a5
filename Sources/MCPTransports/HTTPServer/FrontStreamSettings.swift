/// How long-lived HTTP streams behave; taken from `HTTPFrontConfiguration`.
struct FrontStreamSettings: Sendable {
    var replayBufferEvents: Int
    var maxQueuedBytesPerStream: Int
    var keepAliveInterval: Duration
    var sessionIdleTimeout: Duration

    init(_ configuration: HTTPFrontConfiguration) {
        replayBufferEvents = configuration.replayBufferEvents
        maxQueuedBytesPerStream = configuration.maxQueuedBytesPerStream
        keepAliveInterval = configuration.keepAliveInterval
        sessionIdleTimeout = configuration.sessionIdleTimeout
    }
}
