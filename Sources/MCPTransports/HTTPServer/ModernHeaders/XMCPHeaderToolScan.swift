import JSONRPC

/// The `x-mcp-header` annotations of every tool in one `tools/list` result (read from its bytes),
/// split into the tools that mirror arguments into headers and the tools whose annotations are
/// invalid. Over HTTP an invalid tool MUST be dropped from the list shown downstream, with a
/// warning naming it and `XMCPHeaderAnnotationError.description`.
public struct XMCPHeaderToolScan: Sendable, Equatable {
    /// Tools with at least one valid annotation, by tool name.
    public var annotated: [String: XMCPHeaderAnnotations]
    /// Tools whose annotations break a rule, by tool name.
    public var invalid: [String: XMCPHeaderAnnotationError]

    /// Scans `result`, a `tools/list` result object (`{"tools":[…], …}`); tools without a string
    /// `name` are skipped.
    public init(toolsListResult result: JSONView) {
        annotated = [:]
        invalid = [:]
        for tool in result["tools"]?.elements ?? [] {
            guard let name = tool["name"]?.string else { continue }
            do {
                let annotations = try XMCPHeaderAnnotations(inputSchema: tool["inputSchema"])
                if !annotations.isEmpty { annotated[name] = annotations }
            } catch {
                invalid[name] = error
            }
        }
    }

    /// The annotations to check and write for a call of `tool`: `.none` when it has none, nil
    /// when they are invalid (the tool should not have been offered).
    public func annotations(forTool tool: String) -> XMCPHeaderAnnotations? {
        if invalid[tool] != nil { return nil }
        return annotated[tool] ?? XMCPHeaderAnnotations.none
    }
}
