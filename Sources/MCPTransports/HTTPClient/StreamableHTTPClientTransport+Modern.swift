import AsyncHTTPClient
import JSONRPC
import NIOCore

extension StreamableHTTPClientTransport {
    /// Keeps the `x-mcp-header` tags of the tools in a 2026-07-28 upstream's `tools/list` result
    /// (one page), so that each later `tools/call` POST mirrors the tagged arguments into
    /// `Mcp-Param-*` headers. A tool whose tags break the spec's rules is dropped from the list,
    /// with a warning, as the spec says an HTTP client must: the result comes back without it
    /// (nil: the list is delivered as it came).
    func rememberToolHeaders(from message: JSONRPCMessage) -> ByteBuffer? {
        guard let range = message.envelope.resultRange else { return nil }
        let result = JSONView(message: message, range: range)
        let scan = XMCPHeaderToolScan(toolsListResult: result)
        let tools = result["tools"]?.elements ?? []
        configuration.toolHeaderTags.update(names: tools.compactMap { $0["name"]?.string }, from: scan)
        guard !scan.invalid.isEmpty, let list = result["tools"] else { return nil }
        for (tool, problem) in scan.invalid.sorted(by: { $0.key < $1.key }) {
            logger.warning("tool '\(tool)' is left out: its x-mcp-header annotation is invalid (\(problem))")
        }
        var kept: [UInt8] = [UInt8(ascii: "[")]
        for tool in tools where tool["name"]?.string.map({ scan.invalid[$0] == nil }) ?? true {
            if kept.count > 1 { kept.append(UInt8(ascii: ",")) }
            kept += tool.rawBytes
        }
        kept.append(UInt8(ascii: "]"))
        return message.splicing(list.range, with: kept)
    }
}

extension StreamableHTTPClientTransport {
    /// `notifications/cancelled` for a 2026-07-28 request whose POST is on its way: over HTTP
    /// the spec's cancellation is closing that POST's response stream, so the POST is cancelled
    /// and the notification is not sent (a modern server takes no unenveloped POST). The request
    /// ends quietly: the proxy that cancelled it expects no answer. False when `id` names no such
    /// request (the notification is then POSTed as usual, as for any handshake-era request).
    func closeModernPost(of id: JSONRPCID) -> Bool {
        let found = state.withLockedValue { state -> (RequestExchange, any PostInFlight)? in
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
