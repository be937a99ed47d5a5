/// A stage of the request pipeline, in the shape of Hummingbird's `MiddlewareProtocol`
/// (`handle(input, context, next)`), adapted to a relay whose answer arrives later.
///
/// `handle` runs when a client request arrives. A stage may answer it (return `.refused`, or
/// `.answered` after replying itself), pass it on by calling `next` (and look at what came back),
/// or add splices to the call. `next` is non-escaping and the chain is built once, so a stage
/// that does nothing for a request costs a few nanoseconds. Stages run synchronously on the
/// transport's thread: they must not block.
///
/// `finished` runs once when a request the chain passed to its terminal ends (answer, error,
/// timeout, upstream failure, cancellation). Breakers, counters and logs learn there.
///
/// ```swift
/// struct AuditLog<Context: PrincipalContext>: MCPMiddleware {
///     func handle(_ call: inout MCPCall, context: inout Context,
///                 next: (inout MCPCall, inout Context) -> MCPVerdict) -> MCPVerdict {
///         if call.method == .toolsCall { print("\(context.principal.subject) calls \(call.name ?? "?")") }
///         return next(&call, &context)
///     }
/// }
/// ```
public protocol MCPMiddleware<Context>: Sendable {
    /// What the stage reads and writes besides the call: the session, principal, target, deadline.
    associatedtype Context

    /// Decides about one request: refuse, answer, or pass on through `next`.
    func handle(
        _ call: inout MCPCall,
        context: inout Context,
        next: (inout MCPCall, inout Context) -> MCPVerdict
    ) -> MCPVerdict

    /// Learns how a request that reached the terminal ended. The default does nothing.
    func finished(_ summary: MCPCallSummary, context: Context, outcome: MCPOutcome)

    /// Whether `finished` does anything; a chain where no stage needs it skips the calls.
    var observesCompletion: Bool { get }
}

extension MCPMiddleware {
    /// Does nothing.
    @inlinable
    public func finished(_ summary: MCPCallSummary, context: Context, outcome: MCPOutcome) {}

    /// False: stages that implement `finished` say true.
    @inlinable
    public var observesCompletion: Bool { false }
}

/// A context that knows who is calling.
public protocol PrincipalContext {
    /// The session's principal (``Principal/anonymous`` when authentication is off).
    var principal: Principal { get }
}

/// A context that knows where a request goes once routing has decided.
public protocol RoutedContext {
    /// The upstream the request was routed to; nil before routing, or when it is answered locally.
    var upstreamName: String? { get }
}
