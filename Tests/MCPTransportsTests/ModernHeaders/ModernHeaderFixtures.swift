import JSONRPC
import NIOCore
@testable import MCPTransports

/// Requests, schemas and header sets shared by the modern-header tests.
enum ModernHeaderFixtures {
    static let meta = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#

    /// A scanned request.
    static func message(_ json: String) throws -> JSONRPCMessage {
        try JSONRPCScanner().scanMessage(ByteBuffer(string: json))
    }

    /// A modern request; `params` is the members after `_meta` (no leading comma).
    static func request(_ method: String, _ params: String = "", id: Int = 1) throws -> JSONRPCMessage {
        let rest = params.isEmpty ? "" : "," + params
        return try message(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{\#(meta)\#(rest)}}"#)
    }

    /// A modern `tools/call` of `deploy` with `arguments` (JSON text).
    static func call(_ arguments: String, name: String = "deploy") throws -> JSONRPCMessage {
        try request("tools/call", #""name":"\#(name)","arguments":\#(arguments)"#)
    }

    /// The routing headers of a valid `tools/call` of `deploy`, plus `extra` lines.
    static func headers(
        method: String = "tools/call", name: String? = "deploy", _ extra: [(name: String, value: String)] = []
    ) -> ModernRequestHeaders {
        var lines: [(name: String, value: String)] = [("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", method)]
        if let name { lines.append(("Mcp-Name", name)) }
        return ModernRequestHeaders(lines + extra)
    }

    /// The annotations of the `deploy` tool.
    static func deployAnnotations() throws -> XMCPHeaderAnnotations {
        try XMCPHeaderAnnotations(inputSchema: JSONView.parse(ByteBuffer(string: #"""
            {"type":"object","properties":{
              "region":{"type":"string","x-mcp-header":"Region"},
              "count":{"type":"integer","x-mcp-header":"Count"},
              "dry":{"type":"boolean","x-mcp-header":"Dry-Run"},
              "label":{"type":"string","x-mcp-header":"Label"},
              "target":{"type":"object","properties":{"zone":{"type":"integer","x-mcp-header":"Zone"}}},
              "free":{"type":"string"}}}
            """#)))
    }
}
