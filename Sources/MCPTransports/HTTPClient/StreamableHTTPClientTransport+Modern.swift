import JSONRPC

extension StreamableHTTPClientTransport {
    /// Keeps the `x-mcp-header` tags of the tools in a 2026-07-28 upstream's `tools/list` result
    /// (one page), so that each later `tools/call` POST mirrors the tagged arguments into
    /// `Mcp-Param-*` headers. A tool whose tags break the spec's rules gets none, with a warning:
    /// the upstream would refuse its calls for want of the header, and the spec says a client
    /// should not offer it.
    func rememberToolHeaders(from message: JSONRPCMessage) {
        guard let range = message.envelope.resultRange else { return }
        let result = JSONView(message: message, range: range)
        let scan = XMCPHeaderToolScan(toolsListResult: result)
        for (tool, problem) in scan.invalid.sorted(by: { $0.key < $1.key }) {
            logger.warning("tool '\(tool)' has an invalid x-mcp-header annotation (\(problem)); its calls carry no Mcp-Param-* headers")
        }
        let names = (result["tools"]?.elements ?? []).compactMap { $0["name"]?.string }
        state.withLockedValue { state in
            for name in names { state.toolHeaderAnnotations[name] = scan.annotated[name] }
        }
    }
}
