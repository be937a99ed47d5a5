import JSONRPC
import MCPProxy

/// An ``UpstreamStatus`` as the JSON object the admin API and the C API return:
/// `{"upstream","mode","ready","sessions","detail","breaker","state","opening","busy","waiting"}`
/// (`breaker` only when it has one; `state` as ``UpstreamStatus/state``).
public enum UpstreamStatusJSON {
    /// One status as a JSON object.
    public static func encode(_ status: UpstreamStatus) -> String {
        var bytes: [UInt8] = Array(#"{"upstream":"#.utf8)
        JSONString.append(status.upstream, to: &bytes)
        bytes += Array(#","mode":"#.utf8)
        JSONString.append(status.mode, to: &bytes)
        bytes += Array(#","ready":\#(status.ready),"sessions":\#(status.sessions),"detail":"#.utf8)
        JSONString.append(status.detail, to: &bytes)
        if let breaker = status.breaker {
            bytes += Array(#","breaker":"#.utf8)
            JSONString.append(breaker, to: &bytes)
        }
        bytes += Array(#","state":"#.utf8)
        JSONString.append(status.state, to: &bytes)
        bytes += Array(#","opening":\#(status.opening),"busy":\#(status.busy),"waiting":\#(status.waiting)"#.utf8)
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Several as a JSON array.
    public static func encode(_ statuses: [UpstreamStatus]) -> String {
        "[" + statuses.map { encode($0) }.joined(separator: ",") + "]"
    }
}
