/// The OAuth 2.0 Protected Resource Metadata document (RFC 9728) that MCP clients read to find
/// the authorization server for this proxy.
public struct ProtectedResourceMetadata: Sendable, Hashable {
    /// The well-known path prefix.
    public static let wellKnownPrefix = "/.well-known/oauth-protected-resource"

    /// This proxy's canonical resource URI (tokens' `aud` must contain it).
    public var resource: String
    /// The issuer URLs of the authorization servers clients may use.
    public var authorizationServers: [String]
    /// The scopes advertised (a scope becomes required only through an authorization rule).
    public var scopesSupported: [String]
    /// How tokens may be sent: only `header` (never the query string).
    public var bearerMethodsSupported: [String]
    /// A human-readable name, if any.
    public var resourceName: String?
    /// A documentation URL, if any.
    public var resourceDocumentation: String?

    /// Creates the metadata.
    public init(
        resource: String,
        authorizationServers: [String],
        scopesSupported: [String] = [],
        bearerMethodsSupported: [String] = ["header"],
        resourceName: String? = nil,
        resourceDocumentation: String? = nil
    ) {
        self.resource = resource
        self.authorizationServers = authorizationServers
        self.scopesSupported = scopesSupported
        self.bearerMethodsSupported = bearerMethodsSupported
        self.resourceName = resourceName
        self.resourceDocumentation = resourceDocumentation
    }

    /// The document as compact JSON bytes (`application/json`); empty lists are left out.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: String) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONString.append(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func list(_ name: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            key(name)
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.append(value, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        key("resource")
        JSONString.append(resource, to: &out)
        list("authorization_servers", authorizationServers)
        list("scopes_supported", scopesSupported)
        list("bearer_methods_supported", bearerMethodsSupported)
        if let resourceName {
            key("resource_name")
            JSONString.append(resourceName, to: &out)
        }
        if let resourceDocumentation {
            key("resource_documentation")
            JSONString.append(resourceDocumentation, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The paths this document is served at for `resource`: the path-suffixed form first
    /// (`/.well-known/oauth-protected-resource/mcp` for `https://host/mcp`), then the root form.
    /// For a resource without a path, only the root form.
    public static func wellKnownPaths(forResource resource: String) -> [String] {
        let suffix = pathAndQuery(of: resource)
        if suffix.isEmpty { return [wellKnownPrefix] }
        return [wellKnownPrefix + suffix, wellKnownPrefix]
    }

    /// The absolute URL of the metadata document for `resource` (RFC 9728 §3.1): the well-known
    /// prefix inserted between the authority and the path. Nil when `resource` has no
    /// `scheme://authority`.
    public static func metadataURL(forResource resource: String) -> String? {
        guard let origin = origin(of: resource) else { return nil }
        return origin + wellKnownPrefix + pathAndQuery(of: resource)
    }

    /// The absolute URL of this document.
    public var metadataURL: String? { Self.metadataURL(forResource: resource) }

    /// `scheme://authority` of an absolute URI, or nil.
    static func origin(of uri: String) -> String? {
        guard let parts = split(uri) else { return nil }
        return parts.origin
    }

    /// The path (without trailing `/`) and query after the authority, without a fragment.
    static func pathAndQuery(of uri: String) -> String {
        guard let parts = split(uri) else { return "" }
        return parts.suffix
    }

    private static func split(_ uri: String) -> (origin: String, suffix: String)? {
        let bytes = Array(uri.utf8)
        var schemeEnd: Int?
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: "/"), bytes[i + 2] == UInt8(ascii: "/") {
                schemeEnd = i
                break
            }
            if bytes[i] == UInt8(ascii: "/") || bytes[i] == UInt8(ascii: "?") { return nil }
            i += 1
        }
        guard let schemeEnd, schemeEnd > 0 else { return nil }
        let authorityStart = schemeEnd + 3
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count, !"/?#".utf8.contains(bytes[authorityEnd]) { authorityEnd += 1 }
        guard authorityEnd > authorityStart else { return nil }
        var pathEnd = authorityEnd
        while pathEnd < bytes.count, bytes[pathEnd] != UInt8(ascii: "?"), bytes[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
        var queryEnd = pathEnd
        while queryEnd < bytes.count, bytes[queryEnd] != UInt8(ascii: "#") { queryEnd += 1 }
        var trimmedPathEnd = pathEnd
        while trimmedPathEnd > authorityEnd, bytes[trimmedPathEnd - 1] == UInt8(ascii: "/") { trimmedPathEnd -= 1 }
        let origin = String(decoding: bytes[..<authorityEnd], as: UTF8.self)
        let suffix = String(decoding: bytes[authorityEnd..<trimmedPathEnd] + bytes[pathEnd..<queryEnd], as: UTF8.self)
        return (origin, suffix)
    }
}
