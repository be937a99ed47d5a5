import JSONRPC
import MCPRouting
import NIOCore

/// Tool search (`discovery: search`): an endpoint whose `tools/list` holds only `search_tools`
/// and `call_tool`, for catalogs too large to hand a model whole.
///
/// - `search_tools` is answered by the proxy: the tools behind the endpoint that best match the
///   query (BM25 over names, descriptions and parameters, ``ToolSearchIndex``) among those the
///   principal may see, under their names at the endpoint, as JSON text and `structuredContent`.
///   It reveals nothing `tools/list` would not show the same principal at a `list` endpoint.
/// - `call_tool` becomes the `tools/call` of the named tool (same id, same `_meta` and other
///   params, its arguments) and is routed like one: the endpoint's names, authorization, rate
///   limits, the policy hook, guards, stats and the access log all see the real tool, exactly
///   once. An unknown, filtered or forbidden name gets the error a direct call would.
/// - A tool called by its own name directly is served too: it passes the same checks, so it is
///   no way around them, and clients that remember a name from an earlier search keep working.
///   A real tool named `search_tools` or `call_tool` is reachable through `call_tool`.
/// - The two wrappers themselves are not pipeline requests: `search_tools` is answered by the
///   session (what it returns is already filtered per principal), and only the call inside
///   `call_tool` runs the stages, so a rule allowing `git__*` need not allow `call_tool` too.
extension ProxySession {
    /// The name of the search tool.
    static let searchToolName = "search_tools"
    /// The name of the tool that calls a found tool.
    static let callToolName = "call_tool"
    /// Results of `search_tools` when the client does not ask for a number.
    static let defaultSearchLimit = 10
    /// Most results of one `search_tools` call.
    static let maxSearchLimit = 50

    /// `tools/list` at a search endpoint: the two tools, always on one page.
    func replySearchToolList(id: [UInt8], route: ReplyRoute) {
        replyResult(route, id: id, result: Self.searchToolListResult)
    }

    /// `tools/call` at a search endpoint: `search_tools`, `call_tool`, or a tool by its own name.
    func routeSearchEndpointCall(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute) {
        switch message.envelope.name {
        case Self.searchToolName?:
            let principal = self.principal
            runTask { await self.searchTools(message, id: id, route: route, principal: principal) }
        case Self.callToolName?:
            callFoundTool(message, id: id, route: route)
        default:
            routeByName(message, kind: .tools, id: id, route: route)
        }
    }

    /// `search_tools`: ranks the endpoint's tools for `arguments.query`.
    func searchTools(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute, principal: Principal) async {
        let arguments = Self.arguments(of: message)
        guard let query = arguments?["query"]?.string else {
            replyError(route, id: id, code: .invalidParams, message: "search_tools needs arguments.query, a string: what you want to do in a few words")
            return
        }
        var limit = Self.defaultSearchLimit
        if let limitView = arguments?["limit"], !limitView.isNull {
            guard let requested = limitView.int64, requested >= 1 else {
                replyError(route, id: id, code: .invalidParams, message: "search_tools: arguments.limit must be an integer of at least 1 (at most \(Self.maxSearchLimit) are returned)")
                return
            }
            limit = Int(min(requested, Int64(Self.maxSearchLimit)))
        }
        if !allListsLoaded(.tools) { await loadLists(.tools) }
        guard let endpoint, let list = endpointList(.tools) else {
            replyError(route, id: id, code: .internalError, message: "search_tools is served only at an endpoint with discovery: search")
            return
        }
        let searchable = catalog.toolSearch.catalog(path: endpoint.path, list: list)
        let hits: [ToolSearchHit]
        if let visibility {
            hits = searchable.index.search(query, limit: limit) { visibility.isVisible(principal, kind: .tools, name: searchable.exposedNames[$0]) }
        } else {
            hits = searchable.index.search(query, limit: limit)
        }
        var structured: [UInt8] = Array(#"{"tools":["#.utf8)
        for (position, hit) in hits.enumerated() {
            if position > 0 { structured.append(UInt8(ascii: ",")) }
            structured += searchable.results[hit.document]
        }
        structured += Array("]}".utf8)
        var result: [UInt8] = Array(#"{"content":[{"type":"text","text":"#.utf8)
        JSONString.append(String(decoding: structured, as: UTF8.self), to: &result)
        result += Array(#"}],"structuredContent":"#.utf8)
        result += structured
        result += Array(#","isError":false}"#.utf8)
        replyResult(route, id: id, result: result)
    }

    /// `call_tool`: the `tools/call` of `arguments.name` with `arguments.arguments`, routed as if
    /// the client had sent it.
    func callFoundTool(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute) {
        let arguments = Self.arguments(of: message)
        guard let nameView = arguments?["name"], nameView.string != nil else {
            replyError(route, id: id, code: .invalidParams, message: "call_tool needs arguments.name, a string: a tool's name as search_tools returned it")
            return
        }
        let inner = arguments?["arguments"]
        if let inner, !inner.isNull, inner.kind != .object {
            replyError(route, id: id, code: .invalidParams, message: "call_tool: arguments.arguments must be an object (the tool's arguments), or left out")
            return
        }
        var bytes: [UInt8] = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
        bytes += id
        bytes += Array(#","method":"tools/call","params":{"name":"#.utf8)
        bytes += nameView.rawBytes
        bytes += Array(#","arguments":"#.utf8)
        if let inner, inner.kind == .object { bytes += inner.rawBytes } else { bytes += Array("{}".utf8) }
        if let paramsRange = message.envelope.paramsRange {
            // Everything else of params travels with the call: `_meta` (progress token, trace
            // context), a task request, and whatever later protocol versions add.
            for (key, value) in JSONView(message: message, range: paramsRange).members where key != "name" && key != "arguments" {
                bytes.append(UInt8(ascii: ","))
                JSONString.append(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                bytes += value.rawBytes
            }
        }
        bytes += Array("}}".utf8)
        let call: JSONRPCMessage
        do {
            call = try scanner.scanMessage(ByteBuffer(bytes: bytes))
        } catch {
            replyError(route, id: id, code: error.code, message: "call_tool: \(error.message)")
            return
        }
        routeByName(call, kind: .tools, id: id, route: route)
    }

    /// `params.arguments` of a tools/call, if it is an object.
    private static func arguments(of message: JSONRPCMessage) -> JSONView? {
        guard let paramsRange = message.envelope.paramsRange,
              let arguments = JSONView(message: message, range: paramsRange)["arguments"], arguments.kind == .object else { return nil }
        return arguments
    }

    /// The `tools/list` result of a search endpoint.
    static let searchToolListResult: [UInt8] = Array(#"""
        {"tools":[{"name":"search_tools","title":"Search tools","description":"Find the tools available here for a task. Returns the best-matching tools, best first, each with its name, description and inputSchema; call one with call_tool.","inputSchema":{"type":"object","properties":{"query":{"type":"string","description":"What you want to do, in a few words, e.g. \"commit history\" or \"current time in Tokyo\""},"limit":{"type":"integer","minimum":1,"maximum":50,"description":"Most tools to return (default 10)"}},"required":["query"]},"outputSchema":{"type":"object","properties":{"tools":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"description":{"type":"string"},"inputSchema":{"type":"object"}},"required":["name","inputSchema"]}}},"required":["tools"]},"annotations":{"readOnlyHint":true,"openWorldHint":false}},{"name":"call_tool","title":"Call a tool","description":"Call a tool found with search_tools: its name as search_tools returned it, and its arguments as its inputSchema describes them.","inputSchema":{"type":"object","properties":{"name":{"type":"string","description":"The tool's name, as search_tools returned it"},"arguments":{"type":"object","description":"The tool's arguments"}},"required":["name"]}}]}
        """#.utf8)
}
