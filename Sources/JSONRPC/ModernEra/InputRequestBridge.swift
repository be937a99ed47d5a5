import NIOCore

/// Byte-level conversions between MRTR input requests (2026-07-28) and the handshake era's
/// server-to-client requests, for bridging a client of one era to an upstream of the other.
/// An `InputRequest` (`{"method":...,"params":...}`) is a JSON-RPC request without `jsonrpc`
/// and `id`, and an `inputResponses` value is that request's `result`, so the conversions copy
/// the `params` and `result` bytes as they are.
public enum InputRequestBridge {
    /// The handshake-era request for one entry of an `input_required` result, e.g.
    /// `{"jsonrpc":"2.0","id":<idBytes>,"method":"elicitation/create","params":{...}}`; nil when
    /// the entry has no string `method`.
    public static func request(
        for entry: InputRequiredResult.Request, in message: JSONRPCMessage, idBytes: [UInt8]
    ) -> ByteBuffer? {
        guard let method = entry.method else { return nil }
        return JSONRPCEncoder.request(idBytes: idBytes, method: method, params: entry.paramsRange.map(message.rawBytes))
    }

    /// The `InputRequest` value for a handshake-era server-to-client request
    /// (`elicitation/create`, `sampling/createMessage`, `roots/list`): `{"method":...,"params":...}`
    /// (`params` left out when the request has none). Nil for anything that is not a request.
    public static func inputRequest(from request: JSONRPCMessage) -> [UInt8]? {
        guard request.envelope.kind == .request, let method = request.envelope.method else { return nil }
        var bytes: [UInt8] = Array(#"{"method":"#.utf8)
        JSONString.append(method.name, to: &bytes)
        if let params = request.envelope.paramsRange {
            bytes += Array(#","params":"#.utf8)
            bytes += request.rawBytes(params)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// The `inputResponses` value for a handshake-era client's answer: its `result`, as sent.
    /// Nil for an error response (MRTR has no per-entry error; answer the call instead).
    public static func inputResponse(from response: JSONRPCMessage) -> [UInt8]? {
        response.envelope.resultRange.map(response.rawBytes)
    }

    /// An `input_required` result object: `{"resultType":"input_required","inputRequests":{...},
    /// "requestState":"...","_meta":{"io.modelcontextprotocol/serverInfo":...}}`, each part left
    /// out when nil or empty. `requests` pairs keys with `InputRequest` values (raw JSON);
    /// `requestState` is the raw string token.
    public static func inputRequiredResult(
        requests: [(key: String, value: [UInt8])], requestState: [UInt8]?, serverInfo: [UInt8]? = nil
    ) -> [UInt8] {
        var members: [(key: String, value: [UInt8])] = [(key: "resultType", value: Array(#""input_required""#.utf8))]
        if !requests.isEmpty {
            members.append(
                (key: "inputRequests", value: [UInt8(ascii: "{")] + ObjectMembers.membersText(requests) + [UInt8(ascii: "}")]))
        }
        if let requestState { members.append((key: "requestState", value: requestState)) }
        if let serverInfo {
            let meta = [UInt8(ascii: "{")] + ObjectMembers.memberText(ModernMetaKey.serverInfo, serverInfo) + [UInt8(ascii: "}")]
            members.append((key: "_meta", value: meta))
        }
        return [UInt8(ascii: "{")] + ObjectMembers.membersText(members) + [UInt8(ascii: "}")]
    }
}
