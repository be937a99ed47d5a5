import NIOCore

/// The result of `server/discover` (2026-07-28): what the proxy answers a modern client, and
/// what it reads from a modern upstream's answer.
///
/// The encoding writes the members in the order the Python SDK server does (sorted, `_meta`
/// last), e.g. `{"cacheScope":"private","capabilities":{...},"instructions":"...",
/// "resultType":"complete","supportedVersions":["2026-07-28"],"ttlMs":0,"_meta":{...}}`.
public struct DiscoverResult: Sendable, Equatable {
    /// The versions served, e.g. `[2026-07-28]` (a dual-era proxy may add handshake versions;
    /// SDK clients look only for a modern one).
    public var supportedVersions: [ProtocolVersion]
    /// The server capabilities (may include `extensions`).
    public var capabilities: ServerCapabilities
    /// Usage instructions for the model, if any.
    public var instructions: String?
    /// `ttlMs` and `cacheScope` (required on this result).
    public var cacheHint: CacheHint
    /// `_meta["io.modelcontextprotocol/serverInfo"]` (SHOULD).
    public var serverInfo: Implementation?

    /// Creates a result.
    public init(
        supportedVersions: [ProtocolVersion], capabilities: ServerCapabilities, instructions: String? = nil,
        cacheHint: CacheHint = .sdkDefault, serverInfo: Implementation? = nil
    ) {
        self.supportedVersions = supportedVersions
        self.capabilities = capabilities
        self.instructions = instructions
        self.cacheHint = cacheHint
        self.serverInfo = serverInfo
    }

    /// Reads a discover result object (e.g. `JSONView(message: m, range: m.envelope.resultRange!)`).
    /// Nil unless `supportedVersions` is an array of strings and `capabilities` an object; a
    /// missing or invalid `ttlMs`/`cacheScope` reads as the SDK default (see `hasCacheFields`).
    public init?(parsing result: JSONView) {
        guard result.kind == .object, let versions = result["supportedVersions"], versions.kind == .array,
            let capabilities = result["capabilities"], case .object(let raw) = JSONValue(capabilities)
        else { return nil }
        var supported: [ProtocolVersion] = []
        for element in versions.elements {
            guard let version = element.string else { return nil }
            supported.append(ProtocolVersion(rawValue: version))
        }
        self.init(
            supportedVersions: supported, capabilities: ServerCapabilities(raw: raw),
            instructions: result["instructions"]?.string, cacheHint: CacheHint(result: result),
            serverInfo: result["_meta"]?[ModernMetaKey.serverInfo].flatMap(Implementation.init(view:)))
    }

    /// Whether a result object carries a valid `ttlMs` (integer ≥ 0) and `cacheScope`, as the
    /// SDK client requires before it believes a server is modern.
    public static func hasCacheFields(_ result: JSONView) -> Bool {
        guard let ttl = result["ttlMs"]?.int64, ttl >= 0, let scope = result["cacheScope"]?.string else { return false }
        return CacheScope(rawValue: scope) != nil
    }

    /// The modern versions among `supportedVersions` (those without the handshake).
    public var modernVersions: [ProtocolVersion] {
        supportedVersions.filter { !$0.usesHandshake }
    }

    /// The result object as compact JSON.
    public var resultBytes: [UInt8] {
        var bytes: [UInt8] = Array(#"{"cacheScope":"#.utf8)
        JSONString.append(cacheHint.scope.rawValue, to: &bytes)
        bytes += Array(#","capabilities":"#.utf8)
        JSONValue.object(capabilities.raw).append(to: &bytes)
        if let instructions {
            bytes += Array(#","instructions":"#.utf8)
            JSONString.append(instructions, to: &bytes)
        }
        bytes += Array(#","resultType":"complete","supportedVersions":["#.utf8)
        for (index, version) in supportedVersions.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONString.append(version.rawValue, to: &bytes)
        }
        bytes += Array(#"],"ttlMs":"#.utf8)
        DecimalWriter.append(cacheHint.ttlMs, to: &bytes)
        if let serverInfo {
            bytes += Array(#","_meta":{"#.utf8)
            JSONString.append(ModernMetaKey.serverInfo, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes += serverInfo.jsonBytes
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// The whole response `{"jsonrpc":"2.0","id":<id>,"result":{...}}`.
    public func response(idBytes: [UInt8]) -> ByteBuffer {
        JSONRPCEncoder.result(idBytes: idBytes, result: resultBytes)
    }
}
