/// SipHash-2-4 (Aumasson and Bernstein), a keyed 64-bit hash used here as a short MAC for cursors.
enum SipHash {
    /// The SipHash-2-4 of `message` under the 128-bit key `(key0, key1)` (each little-endian).
    static func hash(key0: UInt64, key1: UInt64, message: [UInt8]) -> UInt64 {
        var v0: UInt64 = key0 ^ 0x736f_6d65_7073_6575
        var v1: UInt64 = key1 ^ 0x646f_7261_6e64_6f6d
        var v2: UInt64 = key0 ^ 0x6c79_6765_6e65_7261
        var v3: UInt64 = key1 ^ 0x7465_6462_7974_6573

        func round() {
            v0 = v0 &+ v1
            v1 = rotate(v1, 13)
            v1 ^= v0
            v0 = rotate(v0, 32)
            v2 = v2 &+ v3
            v3 = rotate(v3, 16)
            v3 ^= v2
            v0 = v0 &+ v3
            v3 = rotate(v3, 21)
            v3 ^= v0
            v2 = v2 &+ v1
            v1 = rotate(v1, 17)
            v1 ^= v2
            v2 = rotate(v2, 32)
        }
        func compress(_ word: UInt64) {
            v3 ^= word
            round()
            round()
            v0 ^= word
        }

        let fullWords = message.count / 8
        for w in 0..<fullWords {
            var word: UInt64 = 0
            for k in 0..<8 { word |= UInt64(message[w * 8 + k]) << UInt64(8 * k) }
            compress(word)
        }
        var last = UInt64(truncatingIfNeeded: message.count) << 56
        for k in 0..<(message.count % 8) { last |= UInt64(message[fullWords * 8 + k]) << UInt64(8 * k) }
        compress(last)
        v2 ^= 0xff
        round()
        round()
        round()
        round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }
}
