import AsyncHTTPClient
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
        configuration.toolHeaderTags.update(names: names, from: scan)
    }
}

extension StreamableHTTPClientTransport {
    /// `notifications/cancelled` for a 2026-07-28 request whose POST is on its way: over HTTP
    /// the spec's cancellation is closing that POST's response stream, so the POST is cancelled
    /// and the notification is not sent (a modern server takes no unenveloped POST). The request
    /// ends quietly: the proxy that cancelled it expects no answer. False when `id` names no such
    /// request (the notification is then POSTed as usual, as for any handshake-era request).
    func closeModernPost(of id: JSONRPCID) -> Bool {
        let found = state.withLockedValue { state -> (RequestExchange, HTTPClient.Task<PostOutcome>)? in
            guard let postID = state.modernPosts[id], let task = state.posts[postID], let exchange = state.exchanges[id] else { return nil }
            return (exchange, task)
        }
        guard let (exchange, task) = found else { return false }
        _ = exchange.fail("cancelled by the proxy")
        logger.debug("closing the POST of a cancelled 2026-07-28 request", metadata: ["request": "\(exchange.label)", "id": "\(id)"])
        task.cancel()
        return true
    }
}
