/// The pipeline stage that asks a ``RateLimiter`` about every request and refuses those over a
/// limit before they reach an upstream.
///
/// The refusal is ``JSONRPCErrorCode/rateLimited`` (-32029) with `data`
/// `{"reason":"rateLimited","retryAfterMs":N}`. The request's arrival time (`MCPCall.receivedAt`)
/// is the clock. This stage passes no upstream (it usually runs before routing); for
/// `per: upstream` entries use ``RoutedRateLimitMiddleware`` after routing. The allow path
/// allocates nothing.
public struct RateLimitMiddleware<Context: PrincipalContext>: MCPMiddleware {
    /// The limiter.
    public let limiter: any RateLimiter

    /// Creates the stage.
    public init(limiter: any RateLimiter) {
        self.limiter = limiter
    }

    /// Refuses requests over a limit; passes the rest on.
    public func handle(
        _ call: inout MCPCall,
        context: inout Context,
        next: (inout MCPCall, inout Context) -> MCPVerdict
    ) -> MCPVerdict {
        Self.decide(limiter, &call, &context, upstream: nil, next: next)
    }

    /// Asks `limiter` about the call, then passes it on or refuses it: the body of both stages.
    @inline(__always)
    static func decide<C: PrincipalContext>(
        _ limiter: any RateLimiter, _ call: inout MCPCall, _ context: inout C, upstream: String?,
        next: (inout MCPCall, inout C) -> MCPVerdict
    ) -> MCPVerdict {
        let decision = limiter.check(principal: context.principal, method: call.method, name: call.name, upstream: upstream, now: call.receivedAt)
        switch decision {
        case .allowed:
            return next(&call, &context)
        case .limited(let wait, let entry):
            return .refused(refusal(retryAfterNanoseconds: wait, entry: entry))
        }
    }

    /// The refusal for a request over a limit.
    static func refusal(retryAfterNanoseconds wait: UInt64, entry: String) -> MCPRefusal {
        MCPRefusal.rateLimited(retryAfterNanoseconds: wait, entry: entry)
    }
}

extension MCPRefusal {
    /// The refusal for a request over a rate limit, whichever limiter decided (the pipeline
    /// stage, or a limiter shared by replicas): ``JSONRPCErrorCode/rateLimited`` (-32029) with
    /// `data` `{"reason":"rateLimited","retryAfterMs":N}` (the wait rounded up to a millisecond).
    public static func rateLimited(retryAfterNanoseconds wait: UInt64, entry: String) -> MCPRefusal {
        let milliseconds = wait / 1_000_000 + (wait % 1_000_000 == 0 ? 0 : 1)
        var data: [UInt8] = Array(#"{"reason":"rateLimited","retryAfterMs":"#.utf8)
        data.append(contentsOf: String(milliseconds).utf8)
        data.append(UInt8(ascii: "}"))
        return MCPRefusal(
            code: .rateLimited,
            message: "Rate limit exceeded (\(entry)); retry after \(milliseconds) ms",
            data: data,
            reason: "rateLimited"
        )
    }
}

/// ``RateLimitMiddleware`` for a stage after routing: the routed upstream (`upstreamName`) is
/// passed to the limiter, so `per: upstream` entries count too.
public struct RoutedRateLimitMiddleware<Context: PrincipalContext & RoutedContext>: MCPMiddleware {
    /// The limiter.
    public let limiter: any RateLimiter

    /// Creates the stage.
    public init(limiter: any RateLimiter) {
        self.limiter = limiter
    }

    /// Refuses requests over a limit; passes the rest on.
    public func handle(
        _ call: inout MCPCall,
        context: inout Context,
        next: (inout MCPCall, inout Context) -> MCPVerdict
    ) -> MCPVerdict {
        RateLimitMiddleware<Context>.decide(limiter, &call, &context, upstream: context.upstreamName, next: next)
    }
}
