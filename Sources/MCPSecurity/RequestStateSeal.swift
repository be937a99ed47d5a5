import Crypto
import MCPRouting

/// An integrity-protected `requestState` (MRTR, protocol 2026-07-28) for state the proxy itself
/// needs back when a client retries a call: `mcpproxy1.<payload>.<tag>`, both parts base64url,
/// the tag an HMAC-SHA256 (first 16 bytes) over the prefix and payload with a key only the
/// proxy holds. The spec says a server must treat `requestState` as attacker-controlled; a
/// client that alters one gets ``RequestStateSealError/altered`` and the proxy refuses the
/// retry.
///
/// A `requestState` without the prefix is not the proxy's: it belongs to an upstream and is
/// passed through untouched (``open(_:)`` answers ``RequestStateSealError/notSealed``).
public struct RequestStateSeal: Sendable {
    /// What every sealed state starts with.
    public static let prefix = "mcpproxy1."
    /// Bytes of the HMAC kept in the tag.
    static let tagLength = 16
    /// The longest payload ``open(_:)`` accepts (a sealed state is a small routing token).
    public static let maxPayloadBytes = 1_024

    private let key: SymmetricKey

    /// A seal with a fresh random 256-bit key: states it seals open only in this process.
    public init() {
        key = SymmetricKey(size: .bits256)
    }

    /// A seal with a given key (at least 32 bytes), for tests and for replicas that share one.
    public init(key: [UInt8]) throws(RequestStateSealError) {
        guard key.count >= 32 else { throw .weakKey(key.count) }
        self.key = SymmetricKey(data: key)
    }

    /// `payload` sealed: a string to send as `requestState`.
    public func seal(_ payload: [UInt8]) -> String {
        let body = Self.prefix + Base64URL.encode(payload)
        return body + "." + Base64URL.encode(tag(for: body))
    }

    /// Whether `state` looks like one of the proxy's (its prefix); nothing is verified.
    public static func isSealed(_ state: String) -> Bool {
        state.utf8.starts(with: prefix.utf8)
    }

    /// The payload of a sealed state, after checking its tag.
    public func open(_ state: String) throws(RequestStateSealError) -> [UInt8] {
        guard Self.isSealed(state) else { throw .notSealed }
        let utf8 = Array(state.utf8)
        guard utf8.count <= Self.prefix.utf8.count + (Self.maxPayloadBytes * 4 / 3 + 4) + 1 + 24,
              let dot = utf8.lastIndex(of: UInt8(ascii: ".")), dot >= Self.prefix.utf8.count else { throw .malformed }
        let body = utf8[..<dot]
        guard let given = Base64URL.decode(utf8[(dot + 1)...]), given.count == Self.tagLength,
              let payload = Base64URL.decode(body.dropFirst(Self.prefix.utf8.count)) else { throw .malformed }
        let expected = tag(for: body)
        // Constant time: a byte-wise early exit would tell an attacker how much of a tag is right.
        var difference: UInt8 = 0
        for index in 0..<Self.tagLength { difference |= expected[index] ^ given[index] }
        guard difference == 0 else { throw .altered }
        return payload
    }

    private func tag<Bytes: Sequence>(for body: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Array(HMAC<SHA256>.authenticationCode(for: Array(body), using: key).prefix(Self.tagLength))
    }

    private func tag(for body: String) -> [UInt8] { tag(for: Array(body.utf8)) }
}

/// Why a `requestState` could not be opened by ``RequestStateSeal``.
public enum RequestStateSealError: Error, Sendable, Equatable {
    /// It does not start with ``RequestStateSeal/prefix``: an upstream's state, not the proxy's.
    case notSealed
    /// It has the prefix but not the shape `prefix payload . tag`.
    case malformed
    /// Its tag does not match: it was changed, or sealed by another proxy (another key).
    case altered
    /// A key shorter than 32 bytes was given.
    case weakKey(Int)

    /// What a client is told.
    public var message: String {
        switch self {
        case .notSealed: return "requestState is not the proxy's"
        case .malformed: return "requestState is malformed: send it back exactly as the proxy gave it"
        case .altered: return "requestState was altered or comes from another proxy: send it back exactly as this proxy gave it, or call again without it"
        case .weakKey(let count): return "a requestState key needs at least 32 bytes, got \(count)"
        }
    }
}
