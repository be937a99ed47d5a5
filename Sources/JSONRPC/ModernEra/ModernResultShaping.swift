import NIOCore

/// Makes a result from a handshake-era upstream (or one the proxy assembled) valid for a
/// 2026-07-28 client, which validates results strictly: inserts `"resultType":"complete"` when
/// absent; for the cacheable methods, `ttlMs` and `cacheScope` when absent; and
/// `_meta["io.modelcontextprotocol/serverInfo"]` when given. Everything is spliced into the
/// result object in one pass (after its last member); the other bytes of the message stay as they are. Fields that are
/// present are kept, except `serverInfo` with `replaceServerInfo`, and a `cacheScope` other than
/// `"private"` with `privateScope` (an answer the proxy filtered for one principal must not be
/// shared, whatever the upstream said).
///
/// A result whose `resultType` is something other than `"complete"` (`input_required`, `task`)
/// gets no caching fields: `CacheableResult` applies to complete results only.
public enum ModernResultShaping {
    /// The methods whose result must carry `ttlMs` and `cacheScope` (the SDK's `CACHEABLE_METHODS`).
    public static func isCacheable(_ method: MCPMethod) -> Bool {
        switch method {
        case .toolsList, .promptsList, .resourcesList, .resourcesTemplatesList, .resourcesRead, .serverDiscover:
            return true
        default:
            return false
        }
    }

    /// The splices for `message` (a success response to a `method` request). Empty when the
    /// message has no object result or needs nothing. `serverInfo` is raw JSON (e.g.
    /// `Implementation.jsonBytes`).
    public static func splices(
        for message: JSONRPCMessage, method: MCPMethod, cacheHint: CacheHint = .sdkDefault,
        serverInfo: [UInt8]? = nil, replaceServerInfo: Bool = false, privateScope: Bool = false
    ) -> [ByteSplice] {
        guard let resultRange = message.envelope.resultRange, let result = ObjectMembers(message, resultRange) else {
            return []
        }
        var appended: [(key: String, value: [UInt8])] = []
        var complete = true
        if let resultType = result.member("resultType") {
            complete = JSONView(message: message, range: resultType.valueRange).string == "complete"
        } else {
            appended.append((key: "resultType", value: Array(#""complete""#.utf8)))
        }
        var edits: [ByteSplice] = []
        var replacing: [(index: Int, value: [UInt8])] = []
        if complete, isCacheable(method) {
            let scope = privateScope ? CacheScope.private : cacheHint.scope
            if result.member("ttlMs") == nil {
                appended.append((key: "ttlMs", value: DecimalWriter.bytes(cacheHint.ttlMs)))
            }
            if let index = result.index(of: "cacheScope") {
                if privateScope, let present = result.member("cacheScope"),
                   JSONView(message: message, range: present.valueRange).string != CacheScope.private.rawValue {
                    replacing.append((index: index, value: JSONString.encode(CacheScope.private.rawValue)))
                }
            } else {
                appended.append((key: "cacheScope", value: JSONString.encode(scope.rawValue)))
            }
        }
        if let serverInfo {
            let meta = result.member("_meta")
            if let meta, let metaMembers = ObjectMembers(message, meta.valueRange) {
                if let index = metaMembers.index(of: ModernMetaKey.serverInfo) {
                    if replaceServerInfo {
                        edits += metaMembers.edits(replacing: [(index: index, value: serverInfo)])
                    }
                } else {
                    edits += metaMembers.edits(atEnd: ObjectMembers.memberText(ModernMetaKey.serverInfo, serverInfo))
                }
            } else if meta == nil {
                let metaObject = [UInt8(ascii: "{")] + ObjectMembers.memberText(ModernMetaKey.serverInfo, serverInfo)
                    + [UInt8(ascii: "}")]
                appended.append((key: "_meta", value: metaObject))
            }
            // A `_meta` that is not an object is left alone: the result is the upstream's to fix.
        }
        if !appended.isEmpty || !replacing.isEmpty {
            edits += result.edits(replacing: replacing, atEnd: appended.isEmpty ? [] : ObjectMembers.membersText(appended))
        }
        return ObjectMembers.ordered(edits)
    }

    /// The shaped message (the original bytes, copied, when nothing is needed).
    public static func shaped(
        _ message: JSONRPCMessage, method: MCPMethod, cacheHint: CacheHint = .sdkDefault,
        serverInfo: [UInt8]? = nil, replaceServerInfo: Bool = false, privateScope: Bool = false
    ) -> ByteBuffer {
        message.splicing(
            splices(
                for: message, method: method, cacheHint: cacheHint, serverInfo: serverInfo,
                replaceServerInfo: replaceServerInfo, privateScope: privateScope))
    }
}
