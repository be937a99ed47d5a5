/// The validation ladder a modern request goes through before dispatch, in the Python SDK's
/// order (`mcp/shared/inbound.py::classify_inbound_request`), without the HTTP header rung
/// (rung 2, which belongs to the HTTP front and runs between rungs 1 and 3):
///
/// 1. `params._meta` is an object carrying both required keys, else -32602;
/// 3. the version is a string, else -32602;
/// 4. the version is supported, else -32022 with `data: {"supported": [...], "requested": "..."}`.
///
/// Beyond the SDK (which checks presence only) it also refuses, with -32602, an envelope key
/// that occurs twice and a `clientCapabilities`/`clientInfo`/`logLevel` of the wrong type, so
/// that what the proxy reads is what the upstream reads.
public enum ModernValidation {
    /// The SDK's message when `params._meta` is absent or not an object.
    public static let metaNotObjectMessage =
        "params._meta must be an object carrying the required '\(ModernMetaKey.protocolVersion)' and '\(ModernMetaKey.clientCapabilities)' envelope keys"
    /// The SDK's message when the version is not a string.
    public static let versionNotStringMessage = "the protocol-version envelope value must be a string"
    /// The SDK's message for -32022.
    public static let unsupportedVersionMessage = "Unsupported protocol version"

    /// Rung 1 only: nil when `params._meta` is an object with both required keys.
    public static func checkPresence(_ envelope: ModernEnvelope) -> ModernRejection? {
        guard envelope.metaIsObject else {
            return ModernRejection(code: .invalidParams, message: metaNotObjectMessage)
        }
        let missing = envelope.missingRequiredKeys
        guard missing.isEmpty else {
            return ModernRejection(
                code: .invalidParams,
                message: "params._meta is missing the required envelope key(s): \(missing.joined(separator: ", "))")
        }
        return nil
    }

    /// Rungs 3 and 4 (and the shape checks beyond the SDK): nil when the envelope is well-formed
    /// and its version is one of `supported`. Call after `checkPresence` (and, on HTTP, after the
    /// header rung).
    public static func checkVersion(_ envelope: ModernEnvelope, supported: [ProtocolVersion]) -> ModernRejection? {
        switch envelope.status {
        case .absent:
            return checkPresence(envelope)
        case .malformed(.missingKeys):
            return checkPresence(envelope)
        case .malformed(.duplicateKey(let key)):
            return ModernRejection(
                code: .invalidParams,
                message: "params._meta carries the envelope key '\(key)' more than once; send each key once")
        case .malformed(.wrongType(let key, let expected)):
            if key == ModernMetaKey.protocolVersion {
                return ModernRejection(code: .invalidParams, message: versionNotStringMessage)
            }
            let noun = expected == .object ? "an object" : "a string"
            return ModernRejection(code: .invalidParams, message: "the '\(key)' envelope value must be \(noun)")
        case .present:
            let requested = envelope.protocolVersionString ?? ""
            guard supported.contains(where: { $0.rawValue == requested }) else {
                return unsupportedVersion(requested: requested, supported: supported)
            }
            return nil
        }
    }

    /// Rungs 1, 3 and 4 in order: the first failure, or nil when the request may be dispatched.
    public static func check(_ envelope: ModernEnvelope, supported: [ProtocolVersion]) -> ModernRejection? {
        checkPresence(envelope) ?? checkVersion(envelope, supported: supported)
    }

    /// -32022 `Unsupported protocol version` with `data: {"supported": [...], "requested": "..."}`
    /// (also the answer to a handshake `initialize` at a modern-only front).
    public static func unsupportedVersion(requested: String, supported: [ProtocolVersion]) -> ModernRejection {
        var data: [UInt8] = Array(#"{"supported":["#.utf8)
        for (index, version) in supported.enumerated() {
            if index > 0 { data.append(UInt8(ascii: ",")) }
            JSONString.append(version.rawValue, to: &data)
        }
        data += Array(#"],"requested":"#.utf8)
        JSONString.append(requested, to: &data)
        data.append(UInt8(ascii: "}"))
        return ModernRejection(code: .unsupportedProtocolVersion, message: unsupportedVersionMessage, data: data)
    }

    /// The answer of a modern-only front to a handshake `initialize` (the spec: name the
    /// supported versions in any error to `initialize`): -32022 with `requested` taken from
    /// `params.protocolVersion` (empty when absent), in the words of the SDK's stdio server.
    public static func refusingInitialize(_ message: JSONRPCMessage, supported: [ProtocolVersion]) -> ModernRejection {
        let requested = message.envelope.paramsRange.flatMap {
            JSONView(message: message, range: $0)["protocolVersion"]?.string
        }
        var refusal = unsupportedVersion(requested: requested ?? "", supported: supported)
        let served = supported.first { !$0.usesHandshake } ?? supported.first ?? .v2026_07_28
        refusal.message = "connection is serving the \(served.rawValue) protocol; the initialize handshake is not accepted"
        return refusal
    }

    /// -32021 for a capability the request's `clientCapabilities` lacks, with
    /// `data.requiredCapabilities`. The message follows the SDK: "Client did not declare the form
    /// elicitation capability required by <requiredBy>" (e.g. `requiredBy: "resolver 'x'"`), or
    /// "Client did not declare required extension '<id>'" for an extension.
    public static func missingCapability(_ capability: RequiredClientCapability, requiredBy: String? = nil)
        -> ModernRejection
    {
        let message: String
        if case .extension(let identifier) = capability {
            message = "Client did not declare required extension '\(identifier)'"
                + (requiredBy.map { " (required by \($0))" } ?? "")
        } else {
            message = "Client did not declare the \(capability.displayName) capability"
                + (requiredBy.map { " required by \($0)" } ?? "")
        }
        var data: [UInt8] = Array(#"{"requiredCapabilities":"#.utf8)
        data += capability.requiredCapabilitiesJSON
        data.append(UInt8(ascii: "}"))
        return ModernRejection(code: .missingRequiredClientCapability, message: message, data: data)
    }
}
