import Crypto
import MCPRouting

/// The task ids a proxy shows its clients for tasks its upstreams run.
///
/// An upstream's task id is unique only at that upstream, and it may be guessable. The proxy shows
/// clients `mcpt1.<upstream>.<tag>.<id>`: the upstream's name (unpadded base64url), a 128-bit
/// HMAC-SHA256 tag over the principal, the upstream and its id, and the upstream's id as it was.
/// A client's `tasks/get` (and `tasks/update`, `tasks/cancel`, `tasks/result`) resolves to that
/// upstream and id only when the tag checks out for the caller's principal: an id minted for one
/// principal is refused for another, and nobody can make one up for a task they were never given.
/// The key is derived from the proxy's secret and never leaves the process.
public struct TaskIDNamespace: Sendable {
    /// The prefix every exposed id starts with (the format's version).
    public static let prefix = "mcpt1."
    private static let tagLength = 16

    private let secret: [UInt8]

    /// A namespace keyed by `secret` (16 or more random bytes; the proxy's per-process secret).
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The id a client of `principal` sees for `taskID` of `upstream`.
    public func exposed(_ taskID: String, upstream: String, principal: String) -> String {
        Self.prefix + Base64URL.encode(Array(upstream.utf8)) + "." + Base64URL.encode(tag(taskID, upstream: upstream, principal: principal))
            + "." + taskID
    }

    /// The upstream and its own id for an id a client of `principal` sent; nil when it is not one
    /// this namespace minted for that principal (malformed, altered, another principal's, or
    /// minted with another secret).
    public func resolve(_ exposed: String, principal: String) -> (upstream: String, taskID: String)? {
        guard exposed.hasPrefix(Self.prefix) else { return nil }
        let rest = exposed.utf8.dropFirst(Self.prefix.utf8.count)
        guard let firstDot = rest.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let afterName = rest[rest.index(after: firstDot)...]
        guard let secondDot = afterName.firstIndex(of: UInt8(ascii: ".")),
              let nameBytes = Base64URL.decode(String(decoding: rest[..<firstDot], as: UTF8.self)),
              let given = Base64URL.decode(String(decoding: afterName[..<secondDot], as: UTF8.self)),
              given.count == Self.tagLength
        else { return nil }
        let upstream = String(decoding: nameBytes, as: UTF8.self)
        let taskID = String(decoding: afterName[afterName.index(after: secondDot)...], as: UTF8.self)
        guard Array(upstream.utf8) == nameBytes, !taskID.isEmpty else { return nil }
        let expected = tag(taskID, upstream: upstream, principal: principal)
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0 ? (upstream, taskID) : nil
    }

    private func tag(_ taskID: String, upstream: String, principal: String) -> [UInt8] {
        var message = Array("mcp-proxy task id v1".utf8)
        for part in [principal, upstream, taskID] {
            message.append(0)
            message += Array(String(part.utf8.count).utf8)
            message.append(0)
            message += Array(part.utf8)
        }
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        return Array(Array(code).prefix(Self.tagLength))
    }
}
