import JSONRPC

/// The pipeline stage that asks a ``PolicyHookRegistry``'s policies about each request; a
/// denial is refused with ``JSONRPCErrorCode/accessDenied`` (-32003) and `data`
/// `{"reason":"policy","detail":"<the policy's message>"}`, and nothing reaches the upstream.
///
/// With no policy registered it costs one atomic load per request.
public struct PolicyHookMiddleware<Context: PrincipalContext & RoutedContext>: MCPMiddleware {
    /// The policies.
    public let registry: PolicyHookRegistry

    /// Creates the stage.
    public init(registry: PolicyHookRegistry) {
        self.registry = registry
    }

    /// Refuses what a policy denies; passes the rest on.
    public func handle(
        _ call: inout MCPCall,
        context: inout Context,
        next: (inout MCPCall, inout Context) -> MCPVerdict
    ) -> MCPVerdict {
        if registry.isEmpty { return next(&call, &context) }
        let name = call.name ?? call.uri
        if let message = registry.decide(principal: context.principal, method: call.method.name, name: name, upstream: context.upstreamName) {
            return .refused(Self.denial(message))
        }
        return next(&call, &context)
    }

    /// The refusal for a policy's denial.
    static func denial(_ message: String) -> MCPRefusal {
        let text = message.isEmpty ? "denied by policy" : message
        var data: [UInt8] = Array(#"{"reason":"policy","detail":"#.utf8)
        JSONString.append(text, to: &data)
        data.append(UInt8(ascii: "}"))
        return MCPRefusal(code: .accessDenied, message: "Access denied: \(text)", data: data, reason: "policy")
    }
}
