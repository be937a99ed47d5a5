/// The pipeline stage that asks an ``Authorizer`` about every request and refuses denied ones
/// before they reach an upstream.
///
/// A denial is refused with ``JSONRPCErrorCode/accessDenied`` (-32003), a message naming the
/// reason and `data` `{"reason":"denied","detail":"tool not allowed"}`; a missing scope with the
/// same code and `{"reason":"insufficientScope","scope":"a b"}`, and an HTTP hint so that a
/// Streamable HTTP front answers 403 with `WWW-Authenticate: Bearer error="insufficient_scope",
/// scope="a b"` (and `resource_metadata` when known). For `completion/complete` the
/// reference (`params.ref.name` or `params.ref.uri`) is what is checked. The allow path allocates
/// nothing.
public struct AuthorizationMiddleware<Context: PrincipalContext>: MCPMiddleware {
    /// The policy.
    public let authorizer: any Authorizer
    /// The protected-resource metadata URL named in 403 challenges; nil leaves it out.
    public let resourceMetadataURL: String?

    /// Creates the stage.
    public init(authorizer: any Authorizer, resourceMetadataURL: String? = nil) {
        self.authorizer = authorizer
        self.resourceMetadataURL = resourceMetadataURL
    }

    /// Refuses what the authorizer does not allow; passes the rest on.
    public func handle(
        _ call: inout MCPCall,
        context: inout Context,
        next: (inout MCPCall, inout Context) -> MCPVerdict
    ) -> MCPVerdict {
        let decision: AuthorizationDecision
        if call.method == .completionComplete {
            let envelope = call.message.envelope
            decision = authorizer.authorize(context.principal, method: call.method, name: envelope.refName, uri: envelope.refURI)
        } else {
            decision = authorizer.authorize(context.principal, method: call.method, name: call.name, uri: call.uri)
        }
        switch decision {
        case .allowed:
            return next(&call, &context)
        case .denied(let reason):
            return .refused(Self.denial(reason))
        case .insufficientScope(let required):
            return .refused(Self.insufficientScope(required, resourceMetadataURL: resourceMetadataURL))
        }
    }

    /// The refusal for a denial.
    static func denial(_ reason: String) -> MCPRefusal {
        var data: [UInt8] = Array(#"{"reason":"denied","detail":"#.utf8)
        JSONString.append(reason, to: &data)
        data.append(UInt8(ascii: "}"))
        return MCPRefusal(code: .accessDenied, message: "Access denied: \(reason)", data: data, reason: "denied")
    }

    /// The refusal for missing scopes.
    static func insufficientScope(_ required: [String], resourceMetadataURL: String? = nil) -> MCPRefusal {
        let scope = required.joined(separator: " ")
        var data: [UInt8] = Array(#"{"reason":"insufficientScope","scope":"#.utf8)
        JSONString.append(scope, to: &data)
        data.append(UInt8(ascii: "}"))
        let challenge = BearerChallenge.insufficientScope(resourceMetadataURL: resourceMetadataURL, requiredScopes: required)
        return MCPRefusal(code: .accessDenied, message: "Insufficient scope: requires \(scope)", data: data, reason: "insufficientScope",
                          httpHint: .init(status: 403, headers: ["WWW-Authenticate": challenge]))
    }
}
