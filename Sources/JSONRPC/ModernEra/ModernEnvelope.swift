import NIOCore

/// The 2026-07-28 per-request envelope of one request, read from `params._meta` of a scanned
/// message without decoding the message: which envelope keys are there, where their values are
/// (so the proxy can forward, replace or strip them), and whether the envelope is usable.
///
/// Reading is one walk over the members of `params` and of `params._meta`; only the `_meta`
/// keys are decoded (allocated), and only when `_meta` exists. Decoded values
/// (`clientCapabilities(in:)`, ...) are built on demand. For the cheap per-request era test use
/// `isModern(_:)`.
public struct ModernEnvelope: Sendable, Equatable {
    /// What the envelope amounts to.
    public enum Status: Sendable, Equatable {
        /// No `io.modelcontextprotocol/protocolVersion` key in `params._meta` (or no `_meta`): a
        /// handshake-era request, as the SDK's `_has_modern_envelope` decides.
        case absent
        /// Both required keys, each once, with the right JSON types.
        case present
        /// The version key is there, but the envelope is unusable; the problem says why.
        case malformed(ModernEnvelopeProblem)
    }

    /// One envelope member: its key token and its value, as offsets relative to the message's first byte.
    public struct Member: Sendable, Equatable {
        /// The key token, quotes included.
        public var keyRange: Range<Int>
        /// The value (any JSON type).
        public var valueRange: Range<Int>
        /// The JSON type of the value.
        public var kind: JSONView.Kind

        /// Creates a member description.
        public init(keyRange: Range<Int>, valueRange: Range<Int>, kind: JSONView.Kind) {
            self.keyRange = keyRange
            self.valueRange = valueRange
            self.kind = kind
        }
    }

    /// The whole `params` value, if any.
    public var paramsRange: Range<Int>?
    /// The `params._meta` value, if `params` is an object that has one (any JSON type).
    public var metaRange: Range<Int>?
    /// True when `params._meta` exists and is an object.
    public var metaIsObject: Bool
    /// `io.modelcontextprotocol/protocolVersion` (the first one, if repeated).
    public var protocolVersion: Member?
    /// `io.modelcontextprotocol/clientCapabilities`.
    public var clientCapabilities: Member?
    /// `io.modelcontextprotocol/clientInfo`.
    public var clientInfo: Member?
    /// `io.modelcontextprotocol/logLevel`.
    public var logLevel: Member?
    /// The decoded protocol version when it is a JSON string.
    public var protocolVersionString: String?
    /// Envelope keys that occur more than once in `_meta` (readers would disagree on the value).
    public var duplicatedKeys: [String]

    /// An envelope with nothing found (what `read` returns for a message without params).
    public init() {
        metaIsObject = false
        duplicatedKeys = []
    }

    /// Reads the envelope of `message` (any kind; only requests and notifications have params).
    public static func read(_ message: JSONRPCMessage) -> ModernEnvelope {
        var envelope = ModernEnvelope()
        guard let paramsRange = message.envelope.paramsRange else { return envelope }
        envelope.paramsRange = paramsRange
        let params = JSONView(message: message, range: paramsRange)
        guard let meta = params["_meta"] else { return envelope }
        envelope.metaRange = meta.range
        guard meta.kind == .object, let members = ObjectMembers(message, meta.range) else { return envelope }
        envelope.metaIsObject = true
        for key in ModernMetaKey.requestEnvelope where members.count(of: key) > 1 {
            envelope.duplicatedKeys.append(key)
        }
        func member(_ key: String) -> Member? {
            members.member(key).map {
                Member(
                    keyRange: $0.keyRange, valueRange: $0.valueRange,
                    kind: JSONView(message: message, range: $0.valueRange).kind)
            }
        }
        envelope.protocolVersion = member(ModernMetaKey.protocolVersion)
        envelope.clientCapabilities = member(ModernMetaKey.clientCapabilities)
        envelope.clientInfo = member(ModernMetaKey.clientInfo)
        envelope.logLevel = member(ModernMetaKey.logLevel)
        if let version = envelope.protocolVersion, version.kind == .string {
            envelope.protocolVersionString = JSONView(message: message, range: version.valueRange).string
        }
        return envelope
    }

    /// The SDK's era test for one request: not `initialize`, and `params._meta` is an object
    /// holding the key `io.modelcontextprotocol/protocolVersion`. A `_meta` with only a
    /// `progressToken` is not modern (handshake-era requests carry it too). Walks the members of
    /// `params` and of `_meta` only; allocates nothing unless a key there is written with escapes.
    public static func isModern(_ message: JSONRPCMessage) -> Bool {
        // The scanner noted the key while it walked `params._meta` (Envelope.hasModernEnvelope).
        message.envelope.method != .initialize && message.envelope.hasModernEnvelope
    }

    /// The required keys missing from `_meta`, in the SDK's order (protocolVersion, clientCapabilities).
    public var missingRequiredKeys: [String] {
        var missing: [String] = []
        if protocolVersion == nil { missing.append(ModernMetaKey.protocolVersion) }
        if clientCapabilities == nil { missing.append(ModernMetaKey.clientCapabilities) }
        return missing
    }

    /// Absent, present or malformed (see `Status`). Type problems are checked in ladder order:
    /// missing keys, duplicates, then protocolVersion (string), clientCapabilities (object),
    /// clientInfo (object) and logLevel (string).
    public var status: Status {
        guard let version = protocolVersion else { return .absent }
        if clientCapabilities == nil { return .malformed(.missingKeys(missingRequiredKeys)) }
        if let key = duplicatedKeys.first { return .malformed(.duplicateKey(key)) }
        if version.kind != .string { return .malformed(.wrongType(key: ModernMetaKey.protocolVersion, expected: .string)) }
        if clientCapabilities?.kind != .object {
            return .malformed(.wrongType(key: ModernMetaKey.clientCapabilities, expected: .object))
        }
        if let info = clientInfo, info.kind != .object {
            return .malformed(.wrongType(key: ModernMetaKey.clientInfo, expected: .object))
        }
        if let level = logLevel, level.kind != .string {
            return .malformed(.wrongType(key: ModernMetaKey.logLevel, expected: .string))
        }
        return .present
    }

    /// The declared capabilities, decoded; nil unless `clientCapabilities` is an object.
    public func clientCapabilities(in message: JSONRPCMessage) -> ClientCapabilities? {
        guard let member = clientCapabilities, member.kind == .object,
            case .object(let raw) = JSONValue(JSONView(message: message, range: member.valueRange))
        else { return nil }
        return ClientCapabilities(raw: raw)
    }

    /// The client's `Implementation`, decoded; nil unless `clientInfo` is an object with string
    /// `name` and `version`.
    public func clientInfo(in message: JSONRPCMessage) -> Implementation? {
        guard let member = clientInfo, member.kind == .object else { return nil }
        return Implementation(view: JSONView(message: message, range: member.valueRange))
    }

    /// The requested log level (e.g. `"info"`); nil unless `logLevel` is a string.
    public func logLevel(in message: JSONRPCMessage) -> String? {
        guard let member = logLevel, member.kind == .string else { return nil }
        return JSONView(message: message, range: member.valueRange).string
    }
}

/// Why a modern envelope is unusable.
public enum ModernEnvelopeProblem: Sendable, Equatable {
    /// Required keys absent (in the SDK's order).
    case missingKeys([String])
    /// An envelope key occurs more than once in `_meta`.
    case duplicateKey(String)
    /// An envelope value has the wrong JSON type.
    case wrongType(key: String, expected: JSONView.Kind)
}
