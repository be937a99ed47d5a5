/// Which MCP requests may be sent again after a failure without risk of doing something twice.
///
/// A retry is only safe when repeating the request cannot change anything the first attempt
/// may already have changed upstream: listing, reading and completing are safe; a tool call is
/// safe only when the tool declares itself read-only or idempotent (its `annotations`
/// `readOnlyHint` / `idempotentHint`). Everything else, including `initialize`, resource
/// subscriptions and `logging/setLevel`, is never retried.
public enum RetrySafety {
    /// Whether a request with this method may be repeated.
    /// - Parameters:
    ///   - method: the JSON-RPC method, e.g. `"tools/list"`.
    ///   - readOnlyHint: for `tools/call`, the tool's `readOnlyHint` annotation.
    ///   - idempotentHint: for `tools/call`, the tool's `idempotentHint` annotation.
    /// - Returns: `true` for `ping`, `tools/list`, `prompts/list`, `resources/list`,
    ///   `resources/templates/list`, `resources/read`, `prompts/get` and
    ///   `completion/complete`; for `tools/call` only when either hint is set; `false` for
    ///   every other method.
    public static func isSafeToRepeat(method: String, readOnlyHint: Bool = false, idempotentHint: Bool = false) -> Bool {
        switch method {
        case "ping", "tools/list", "prompts/list", "resources/list", "resources/templates/list",
             "resources/read", "prompts/get", "completion/complete":
            true
        case "tools/call":
            readOnlyHint || idempotentHint
        default:
            false
        }
    }
}
