/// Two stages run one after the other: `first` gets `second` (and then the rest) as its `next`.
public struct MiddlewarePair<First: MCPMiddleware, Second: MCPMiddleware>: MCPMiddleware
where First.Context == Second.Context {
    /// The outer stage.
    public let first: First
    /// The inner stage.
    public let second: Second
    public let observesCompletion: Bool

    /// Joins two stages.
    @inlinable
    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
        self.observesCompletion = first.observesCompletion || second.observesCompletion
    }

    @inlinable
    public func handle(
        _ call: inout MCPCall,
        context: inout First.Context,
        next: (inout MCPCall, inout First.Context) -> MCPVerdict
    ) -> MCPVerdict {
        first.handle(&call, context: &context) { call, context in
            second.handle(&call, context: &context, next: next)
        }
    }

    @inlinable
    public func finished(_ summary: MCPCallSummary, context: First.Context, outcome: MCPOutcome) {
        if first.observesCompletion { first.finished(summary, context: context, outcome: outcome) }
        if second.observesCompletion { second.finished(summary, context: context, outcome: outcome) }
    }
}

/// A stage that may be absent (configured off): when nil, requests pass straight on.
public struct OptionalMiddleware<Wrapped: MCPMiddleware>: MCPMiddleware {
    /// The stage, or nil.
    public let wrapped: Wrapped?

    /// Wraps a stage that may be nil.
    @inlinable
    public init(_ wrapped: Wrapped?) { self.wrapped = wrapped }

    @inlinable
    public var observesCompletion: Bool { wrapped?.observesCompletion ?? false }

    @inlinable
    public func handle(
        _ call: inout MCPCall,
        context: inout Wrapped.Context,
        next: (inout MCPCall, inout Wrapped.Context) -> MCPVerdict
    ) -> MCPVerdict {
        guard let wrapped else { return next(&call, &context) }
        return wrapped.handle(&call, context: &context, next: next)
    }

    @inlinable
    public func finished(_ summary: MCPCallSummary, context: Wrapped.Context, outcome: MCPOutcome) {
        wrapped?.finished(summary, context: context, outcome: outcome)
    }
}

/// One of two stage types, chosen when the chain is built (`if`/`else` in the builder).
public enum EitherMiddleware<First: MCPMiddleware, Second: MCPMiddleware>: MCPMiddleware
where First.Context == Second.Context {
    /// The `if` branch.
    case first(First)
    /// The `else` branch.
    case second(Second)

    @inlinable
    public var observesCompletion: Bool {
        switch self {
        case .first(let stage): return stage.observesCompletion
        case .second(let stage): return stage.observesCompletion
        }
    }

    @inlinable
    public func handle(
        _ call: inout MCPCall,
        context: inout First.Context,
        next: (inout MCPCall, inout First.Context) -> MCPVerdict
    ) -> MCPVerdict {
        switch self {
        case .first(let stage): return stage.handle(&call, context: &context, next: next)
        case .second(let stage): return stage.handle(&call, context: &context, next: next)
        }
    }

    @inlinable
    public func finished(_ summary: MCPCallSummary, context: First.Context, outcome: MCPOutcome) {
        switch self {
        case .first(let stage): stage.finished(summary, context: context, outcome: outcome)
        case .second(let stage): stage.finished(summary, context: context, outcome: outcome)
        }
    }
}

/// A chain with no stages: every request goes straight to the terminal.
public struct PassThroughMiddleware<Context>: MCPMiddleware {
    /// Creates the empty chain.
    @inlinable
    public init() {}

    @inlinable
    public func handle(
        _ call: inout MCPCall,
        context: inout Context,
        next: (inout MCPCall, inout Context) -> MCPVerdict
    ) -> MCPVerdict {
        next(&call, &context)
    }
}

/// Builds a chain from stages listed in order, the way Hummingbird's `RouterBuilder` does:
///
/// ```swift
/// @MCPPipelineBuilder<ProxyRequestContext> var chain: some MCPMiddleware<ProxyRequestContext> {
///     AuditLog()
///     if let limiter { RateLimitMiddleware(limiter: limiter) }
///     AuthorizationMiddleware(authorizer: rules)
/// }
/// ```
@resultBuilder
public enum MCPPipelineBuilder<Context> {
    /// The first stage.
    public static func buildPartialBlock<M: MCPMiddleware>(first: M) -> M where M.Context == Context { first }

    /// Each later stage is run by the ones before it.
    public static func buildPartialBlock<M0: MCPMiddleware, M1: MCPMiddleware>(accumulated: M0, next: M1) -> MiddlewarePair<M0, M1>
    where M0.Context == Context, M1.Context == Context {
        MiddlewarePair(accumulated, next)
    }

    /// An empty block: no stages.
    public static func buildBlock() -> PassThroughMiddleware<Context> { PassThroughMiddleware() }

    /// `if` without `else`.
    public static func buildOptional<M: MCPMiddleware>(_ component: M?) -> OptionalMiddleware<M> where M.Context == Context {
        OptionalMiddleware(component)
    }

    /// `if` with `else`, the `if` branch.
    public static func buildEither<M0: MCPMiddleware, M1: MCPMiddleware>(first component: M0) -> EitherMiddleware<M0, M1>
    where M0.Context == Context, M1.Context == Context {
        .first(component)
    }

    /// `if` with `else`, the `else` branch.
    public static func buildEither<M0: MCPMiddleware, M1: MCPMiddleware>(second component: M1) -> EitherMiddleware<M0, M1>
    where M0.Context == Context, M1.Context == Context {
        .second(component)
    }
}
