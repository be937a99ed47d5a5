import Crypto

/// A SHA-256 digest held inline as four words: hashable without allocating, compared in
/// constant time.
struct Digest256: Hashable, Sendable {
    var w0: UInt64
    var w1: UInt64
    var w2: UInt64
    var w3: UInt64

    /// The SHA-256 of `bytes`.
    init<C: Collection>(hashing bytes: C) where C.Element == UInt8 {
        var hasher = SHA256()
        if let done: Void = bytes.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) {
            _ = done
        } else {
            hasher.update(data: Array(bytes))
        }
        let digest = hasher.finalize()
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { raw in
            words = (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
        (w0, w1, w2, w3) = words
    }

    /// The SHA-256 of a string's UTF-8 bytes.
    init(hashing string: String) {
        var copy = string
        self = copy.withUTF8 { Digest256(hashing: $0) }
    }

    /// Parses 64 hex digits (either case); nil otherwise.
    init?(hex: String) {
        let bytes = Array(hex.utf8)
        guard bytes.count == 64 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        var raw: [UInt8] = []
        raw.reserveCapacity(32)
        var i = 0
        while i < 64 {
            guard let high = Self.nibble(bytes[i]), let low = Self.nibble(bytes[i + 1]) else { return nil }
            raw.append(high << 4 | low)
            i += 2
        }
        raw.withUnsafeBytes { buffer in
            for k in 0..<4 { words[k] = buffer.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self) }
        }
        (w0, w1, w2, w3) = (words[0], words[1], words[2], words[3])
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Equality that takes the same time whatever the contents.
    @inline(never)
    func constantTimeEquals(_ other: Digest256) -> Bool {
        let difference = (w0 ^ other.w0) | (w1 ^ other.w1) | (w2 ^ other.w2) | (w3 ^ other.w3)
        return difference == 0
    }
}
