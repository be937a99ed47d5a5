/// How long-lived HTTP streams behave; taken from `HTTPFrontConfiguration`.
struct FrontStreamSettings: Sendable {
    var replayBufferEvents: Int
    var maxQueuedBytesPerStream: Int
    var keepAliveInterval: Duration
    var sessionIdleTimeout: Duration
    /// Sealed session ids, when replicas share sessions.
    var continuity: (any SessionContinuity)?
    /// Server-to-client traffic across replicas, when they share sessions.
    var relay: (any SessionRelay)?
    /// The tools' `x-mcp-header` annotations, for the `Mcp-Param-*` check; nil checks none.
    var toolHeaderAnnotations: ToolHeaderAnnotationLookup?
    /// The replay bytes of all Streamable HTTP sessions of the front, held to one budget.
    let replayBudget: ReplayBudget

    init(_ configuration: HTTPFrontConfiguration, replayBudget: ReplayBudget? = nil) {
        self.replayBudget = replayBudget ?? ReplayBudget(limit: configuration.maxReplayBytesTotal)
        replayBufferEvents = configuration.replayBufferEvents
        maxQueuedBytesPerStream = configuration.maxQueuedBytesPerStream
        keepAliveInterval = configuration.keepAliveInterval
        sessionIdleTimeout = configuration.sessionIdleTimeout
        continuity = configuration.sessionContinuity
        relay = configuration.sessionRelay
        toolHeaderAnnotations = configuration.toolHeaderAnnotations
    }
}
