import NIOCore

/// The reverse direction: the proxy as a client of a modern upstream puts the 2026-07-28
/// envelope into a request that came from a handshake-era client (or replaces the envelope a
/// modern client sent, e.g. with capabilities narrowed to what the proxy can relay); and, for a
/// handshake-era upstream behind a modern client, strips it.
///
/// Stripping matters: the Python SDK's dual-era server, once a connection is locked to the
/// handshake era, answers any request carrying `io.modelcontextprotocol/protocolVersion` with
/// -32600 (era-2026.md §2.1); other handshake-era servers ignore the keys (`example-server`).
/// So strip toward a handshake-era upstream unless it is known to ignore them.
public enum ModernRequestEnvelope {
    /// The envelope values to write, as raw JSON.
    public struct Values: Sendable, Equatable {
        /// `io.modelcontextprotocol/protocolVersion`, e.g. `2026-07-28`.
        public var protocolVersion: ProtocolVersion
        /// `io.modelcontextprotocol/clientCapabilities` as a JSON object (`{}` for none).
        public var clientCapabilities: [UInt8]
        /// `io.modelcontextprotocol/clientInfo` as a JSON object, or nil to leave it out.
        public var clientInfo: [UInt8]?
        /// `io.modelcontextprotocol/logLevel`, or nil to leave it out.
        public var logLevel: String?

        /// Values from raw JSON (copied verbatim; must be valid JSON objects).
        public init(protocolVersion: ProtocolVersion, clientCapabilities: [UInt8], clientInfo: [UInt8]?, logLevel: String? = nil) {
            self.protocolVersion = protocolVersion
            self.clientCapabilities = clientCapabilities
            self.clientInfo = clientInfo
            self.logLevel = logLevel
        }

        /// Values from the models (capabilities encode with sorted keys).
        public init(
            protocolVersion: ProtocolVersion, capabilities: ClientCapabilities, clientInfo: Implementation?,
            logLevel: String? = nil
        ) {
            self.init(
                protocolVersion: protocolVersion, clientCapabilities: JSONValue.object(capabilities.raw).encoded,
                clientInfo: clientInfo?.jsonBytes, logLevel: logLevel)
        }

        /// The members in the SDK's order: protocolVersion, clientInfo, clientCapabilities, logLevel.
        var members: [(key: String, value: [UInt8])] {
            var members: [(key: String, value: [UInt8])] = [
                (key: ModernMetaKey.protocolVersion, value: JSONString.encode(protocolVersion.rawValue))
            ]
            if let clientInfo { members.append((key: ModernMetaKey.clientInfo, value: clientInfo)) }
            members.append((key: ModernMetaKey.clientCapabilities, value: clientCapabilities))
            if let logLevel { members.append((key: ModernMetaKey.logLevel, value: JSONString.encode(logLevel))) }
            return members
        }
    }

    /// The splices that give `message` (a request) exactly the envelope `values`: values of
    /// envelope keys already in `_meta` are replaced in place, duplicates of them and envelope
    /// keys `values` leaves out (clientInfo, logLevel) are removed, missing ones are inserted
    /// before the first other member of `_meta`; other `_meta` keys (progressToken, ...) are kept.
    /// Without `_meta` it is added after the last member of `params` (where the SDK puts it);
    /// without `params`, `"params":{"_meta":{...}}` is appended to the message. Empty when `params` or `_meta` exists but is not an object.
    public static func splices(inserting values: Values, into message: JSONRPCMessage) -> [ByteSplice] {
        let wanted = values.members
        let metaObject = [UInt8(ascii: "{")] + ObjectMembers.membersText(wanted) + [UInt8(ascii: "}")]
        guard let paramsRange = message.envelope.paramsRange else {
            guard let close = closingBrace(of: message) else { return [] }
            let text = Array(#","params":{"_meta":"#.utf8) + metaObject + [UInt8(ascii: "}")]
            return [ByteSplice(range: close..<close, replacement: text)]
        }
        guard let params = ObjectMembers(message, paramsRange) else { return [] }
        guard let meta = params.member("_meta") else {
            return params.edits(atEnd: ObjectMembers.memberText("_meta", metaObject))
        }
        guard let metaMembers = ObjectMembers(message, meta.valueRange) else { return [] }
        var removing = Set<Int>()
        var replacing: [(index: Int, value: [UInt8])] = []
        var seen = Set<String>()
        for (index, member) in metaMembers.members.enumerated() where ModernMetaKey.requestEnvelope.contains(member.key) {
            if let value = wanted.first(where: { $0.key == member.key })?.value, !seen.contains(member.key) {
                replacing.append((index: index, value: value))
                seen.insert(member.key)
            } else {
                removing.insert(index)
            }
        }
        let missing = wanted.filter { !seen.contains($0.key) }
        return metaMembers.edits(removing: removing, replacing: replacing, atStart: ObjectMembers.membersText(missing))
    }

    /// `message` with the envelope `values` (see `splices(inserting:into:)`).
    public static func inserting(_ values: Values, into message: JSONRPCMessage) -> ByteBuffer {
        message.splicing(splices(inserting: values, into: message))
    }

    /// The splices that remove the four envelope keys from `params._meta`; `_meta` itself is
    /// removed when nothing else is left in it (`params` stays, possibly `{}`). Empty when there
    /// is no envelope key.
    public static func splicesStripping(_ message: JSONRPCMessage) -> [ByteSplice] {
        guard let paramsRange = message.envelope.paramsRange, let params = ObjectMembers(message, paramsRange),
            let metaIndex = params.index(of: "_meta"),
            let meta = ObjectMembers(message, params.members[metaIndex].valueRange)
        else { return [] }
        let removing = Set(meta.members.indices.filter { ModernMetaKey.requestEnvelope.contains(meta.members[$0].key) })
        guard !removing.isEmpty else { return [] }
        if removing.count == meta.members.count {
            return params.edits(removing: [metaIndex])
        }
        return meta.edits(removing: removing)
    }

    /// `message` without the envelope (see `splicesStripping(_:)`).
    public static func stripping(_ message: JSONRPCMessage) -> ByteBuffer {
        message.splicing(splicesStripping(message))
    }

    /// The offset of the message's closing `}` (messages carry no surrounding whitespace).
    static func closingBrace(of message: JSONRPCMessage) -> Int? {
        let count = message.bytes.readableBytes
        guard count > 0, message.bytes.getInteger(at: message.bytes.readerIndex + count - 1, as: UInt8.self) == UInt8(ascii: "}")
        else { return nil }
        return count - 1
    }
}
