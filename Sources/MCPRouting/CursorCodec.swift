/// Mints and checks the opaque cursors the proxy hands out for its merged lists.
///
/// A cursor is 25 bytes in unpadded base64url (34 characters): a format version, the generation and
/// offset (little-endian), and a 64-bit SipHash-2-4 tag over the list name and those fields, keyed
/// from a per-process secret. A cursor therefore fails to decode if it was altered, minted for a
/// different list, or minted by another process.
///
/// The tag is an integrity check against accidental misuse (a client echoing the wrong cursor,
/// truncation, a cursor from before a restart), not a security boundary: nothing a cursor unlocks
/// is secret, and the secret is not handled as key material.
public struct CursorCodec: Sendable {
    private static let version: UInt8 = 1
    private static let payloadLength = 17
    private static let tagLength = 8

    private let key0: UInt64
    private let key1: UInt64

    /// Creates a codec keyed by `secret` (any length; 16 or more random bytes recommended).
    public init(secret: [UInt8]) {
        key0 = SipHash.hash(key0: 0x6d63_702d_7072_6f78, key1: 0x792d_6375_7273_6f72, message: secret)
        key1 = SipHash.hash(key0: 0x6375_7273_6f72_2d6b, key1: 0x6579_2d64_6572_6976, message: secret)
    }

    /// Creates a codec with 32 fresh random bytes of secret from the system generator.
    public init() {
        var generator = SystemRandomNumberGenerator()
        self.init(secret: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The cursor as URL-safe opaque text.
    public func encode(_ cursor: CatalogCursor) -> String {
        var bytes: [UInt8] = [Self.version]
        bytes.reserveCapacity(Self.payloadLength + Self.tagLength)
        Self.append(cursor.generation, to: &bytes)
        Self.append(UInt64(bitPattern: Int64(cursor.offset)), to: &bytes)
        Self.append(tag(payload: bytes, list: cursor.list), to: &bytes)
        return Base64URL.encode(bytes)
    }

    /// The cursor in `text` if it is well formed, untampered, minted by this codec for `list`, and has
    /// a non-negative offset; otherwise `nil` (answer the client with -32602).
    public func decode(_ text: String, list: String) -> CatalogCursor? {
        guard text.utf8.count <= 64, let bytes = Base64URL.decode(text),
            bytes.count == Self.payloadLength + Self.tagLength, bytes[0] == Self.version
        else { return nil }
        let payload = Array(bytes[0..<Self.payloadLength])
        let expected = tag(payload: payload, list: list)
        let given = Self.read(bytes, at: Self.payloadLength)
        guard Self.constantTimeEqual(expected, given) else { return nil }
        let offset = Int64(bitPattern: Self.read(bytes, at: 9))
        guard offset >= 0, offset <= Int64(Int.max) else { return nil }
        return CatalogCursor(generation: Self.read(bytes, at: 1), offset: Int(offset), list: list)
    }

    private func tag(payload: [UInt8], list: String) -> UInt64 {
        var message = Array(list.utf8)
        message.append(0)
        message.append(contentsOf: payload)
        return SipHash.hash(key0: key0, key1: key1, message: message)
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * k))) }
    }

    private static func read(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(bytes[offset + k]) << UInt64(8 * k) }
        return value
    }

    private static func constantTimeEqual(_ a: UInt64, _ b: UInt64) -> Bool {
        (a ^ b) == 0
    }
}
