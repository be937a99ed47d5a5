import Foundation
import JSONRPC

/// The 2026-07-28 Streamable HTTP header rules: `MCP-Protocol-Version`, `Mcp-Method` and
/// `Mcp-Name` must be present once each and match the body (`Mcp-Name` after decoding the
/// `=?base64?…?=` sentinel), and `Mcp-Param-{X}` must mirror each argument whose schema carries
/// `x-mcp-header: X` (only the modern tool `where` has one: `region` → `Mcp-Param-Region`).
enum ModernHeaderCheck {
    /// The `x-mcp-header` arguments of the modern tools: tool → [(argument, header suffix)].
    static let mirroredArguments: [String: [(argument: String, header: String)]] = ["where": [("region", "Region")]]

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
        guard method == .toolsCall, let mirrored = mirroredArguments[value] else { return nil }
        for (argument, suffix) in mirrored {
            let header = headers("mcp-param-\(suffix.lowercased())")
            let body = params["arguments"]?[argument]?.stringValue
            switch (body, header.first) {
            case (nil, nil):
                continue
            case (nil, _?):
                return "Mcp-Param-\(suffix) header is present but the request body's '\(argument)' argument is absent"
            case (_?, nil):
                return "Mcp-Param-\(suffix) header is missing but the request body's '\(argument)' argument is present"
            case (let body?, let sent?):
                guard header.count == 1, decode(trimmed(sent)) == body else {
                    return "Mcp-Param-\(suffix) header does not match the request body's '\(argument)' argument"
                }
            }
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
