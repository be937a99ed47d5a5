import Crypto
import MCPRouting

/// Seals a ``SealedSession`` into an `Mcp-Session-Id` and opens one, with ChaCha20-Poly1305.
///
/// An id is `base64url(version ‖ key id ‖ nonce ‖ ciphertext ‖ tag)`: version 1 (1 byte), the
/// first 4 bytes of SHA-256 over the key (so a replica finds the key without trying each), a
/// 12-byte random nonce, the encrypted state, and the 16-byte tag; version and key id are
/// authenticated too. The first key seals; every key opens, so keys rotate by prepending a new
/// one and dropping the old one once its sessions have expired.
///
/// Ids carry at most ``maxPlaintextBytes`` of state, so an id is at most
/// ``maxIDLength`` characters (a typical session: about 250).
public struct SessionSealer: Sendable {
    /// The largest sealed state, in bytes.
    public static let maxPlaintextBytes = 3072
    /// The longest id this sealer issues or accepts, in characters.
    public static let maxIDLength = (1 + 4 + 12 + maxPlaintextBytes + 16 + 2) / 3 * 4
    static let version: UInt8 = 1

    private struct Key: Sendable {
        let id: [UInt8]
        let key: SymmetricKey
    }

    private let keys: [Key]

    /// Creates a sealer from raw 32-byte keys; the first seals.
    public init(rawKeys: [[UInt8]]) throws(SessionSealError) {
        guard !rawKeys.isEmpty else { throw .noKeys }
        var keys: [Key] = []
        for (index, raw) in rawKeys.enumerated() {
            guard raw.count == 32 else { throw .invalidKey(index: index, reason: "it decodes to \(raw.count) bytes, not 32") }
            keys.append(Key(id: Array(SHA256.hash(data: raw).prefix(4)), key: SymmetricKey(data: raw)))
        }
        self.keys = keys
    }

    /// Creates a sealer from base64 keys (standard or URL alphabet, padding optional), as
    /// `proxy.cluster.sessionKeys` lists them; the first seals.
    public init(base64Keys: [String]) throws(SessionSealError) {
        var raw: [[UInt8]] = []
        for (index, text) in base64Keys.enumerated() {
            let normalized = String(text.trimmingTrailing("=").map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
            guard let bytes = Base64URL.decode(normalized, canonical: false) else {
                throw .invalidKey(index: index, reason: "it is not base64")
            }
            raw.append(bytes)
        }
        try self.init(rawKeys: raw)
    }

    /// Seals `session` into an id.
    public func seal(_ session: SealedSession) throws(SessionSealError) -> String {
        let plaintext = try SealedSessionCoding.encode(session)
        guard plaintext.count <= Self.maxPlaintextBytes else { throw .tooLarge(limit: Self.maxPlaintextBytes) }
        let key = keys[0]
        let header = [Self.version] + key.id
        do {
            let box = try ChaChaPoly.seal(plaintext, using: key.key, authenticating: header)
            return Base64URL.encode(header + Array(box.combined))
        } catch {
            // Sealing with a valid 32-byte key and a fresh nonce does not fail.
            throw .tooLarge(limit: Self.maxPlaintextBytes)
        }
    }

    /// Opens an id sealed by any of the keys, and checks that it has not expired at `now`
    /// (seconds since 1970).
    public func unseal(_ id: String, now: UInt64) throws(SessionSealError) -> SealedSession {
        try unseal(utf8: Array(id.utf8), now: now)
    }

    /// Opens an id given as UTF-8 bytes (an HTTP header value).
    public func unseal<C: Collection>(utf8 id: C, now: UInt64) throws(SessionSealError) -> SealedSession where C.Element == UInt8 {
        guard id.count <= Self.maxIDLength, let raw = Base64URL.decode(id), raw.count >= 1 + 4 + 12 + 16, raw[0] == Self.version else {
            throw .malformed
        }
        let keyID = raw[1..<5]
        guard let key = keys.first(where: { $0.id.elementsEqual(keyID) }) else { throw .unknownKey }
        let plaintext: [UInt8]
        do {
            let box = try ChaChaPoly.SealedBox(combined: raw[5...])
            plaintext = Array(try ChaChaPoly.open(box, using: key.key, authenticating: raw[0..<5]))
        } catch {
            throw .tampered
        }
        let session = try SealedSessionCoding.decode(plaintext)
        guard session.expiresAt > now else { throw .expired(at: session.expiresAt) }
        return session
    }
}

extension String {
    fileprivate func trimmingTrailing(_ character: Character) -> Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == character { end = index(before: end) }
        return self[startIndex..<end]
    }
}
