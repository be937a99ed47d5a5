import Foundation
import JSONRPC

/// The 2026-07-28 Streamable HTTP header rules: `MCP-Protocol-Version`, `Mcp-Method` and
/// `Mcp-Name` must be present once each and match the body (`Mcp-Name` after decoding the
/// `=?base64?…?=` sentinel). The example server's tools carry no `x-mcp-header`, so no
/// `Mcp-Param-*` is checked.
enum ModernHeaderCheck {
    /// Why the headers disagree with the body (the -32020 message), or nil when they agree.
    static func mismatch(method: MCPMethod, params: JSONValue, headers: ModernHeaders) -> String? {
        for name in ["mcp-protocol-version", "mcp-method", "mcp-name"] where headers(name).count > 1 {
            return "the routing header \(name) appears more than once"
        }
        let version = params["_meta"]?[ModernEra.versionKey]?.stringValue
        guard let header = headers("mcp-protocol-version").first else {
            return "the MCP-Protocol-Version header is missing"
        }
        guard trimmed(header) == version else {
            return "mcp-protocol-version header does not match the request envelope's protocol version"
        }
        guard let methodHeader = headers("mcp-method").first else { return "the Mcp-Method header is missing" }
        guard trimmed(methodHeader) == method.name else { return "mcp-method header does not match the request body's method" }
        let key: String
        switch method {
        case .toolsCall, .promptsGet: key = "name"
        case .resourcesRead: key = "uri"
        default: return nil
        }
        guard let value = params[key]?.stringValue else { return nil }
        guard let nameHeader = headers("mcp-name").first else { return "the Mcp-Name header is missing" }
        guard decode(trimmed(nameHeader)) == value else {
            return "mcp-name header does not match the request body's '\(key)' parameter"
        }
        return nil
    }

    /// A header value as sent, or decoded from `=?base64?…?=`; nil when the sentinel is malformed.
    static func decode(_ value: String) -> String? {
        guard value.hasPrefix("=?base64?"), value.hasSuffix("?="), value.count >= 11 else { return value }
        let inner = String(value.dropFirst(9).dropLast(2))
        guard let data = Data(base64Encoded: inner), data.base64EncodedString() == inner else { return nil }
        return String(data: data, encoding: .utf8)
    }

    private static func trimmed(_ value: String) -> String {
        value.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
    }
}
