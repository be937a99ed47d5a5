/// SHA-1 (FIPS 180-4), only to name Lua scripts the way Redis does (`EVALSHA` takes the hex
/// SHA-1 of a script's source). Not for anything that needs a secure hash: SHA-1 is broken
/// for collision resistance, and Redis chose it, not us.
enum SHA1 {
    /// The 20-byte digest of `bytes`.
    static func digest<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        var block = [UInt8](repeating: 0, count: 64)
        var filled = 0
        var words = [UInt32](repeating: 0, count: 80)

        func compress() {
            for t in 0..<16 {
                words[t] = UInt32(block[4 * t]) << 24 | UInt32(block[4 * t + 1]) << 16
                    | UInt32(block[4 * t + 2]) << 8 | UInt32(block[4 * t + 3])
            }
            for t in 16..<80 {
                let x = words[t - 3] ^ words[t - 8] ^ words[t - 14] ^ words[t - 16]
                words[t] = x << 1 | x >> 31
            }
            var (a, b, c, d, e) = h
            for t in 0..<80 {
                let f: UInt32
                let k: UInt32
                switch t {
                case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                }
                let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ words[t]
                e = d
                d = c
                c = b << 30 | b >> 2
                b = a
                a = temp
            }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
        }

        var length: UInt64 = 0
        for byte in bytes {
            block[filled] = byte
            filled += 1
            length &+= 1
            if filled == 64 {
                compress()
                filled = 0
            }
        }
        // Padding: a 1 bit, zeros, then the message length in bits as a big-endian 64-bit number.
        block[filled] = 0x80
        filled += 1
        if filled > 56 {
            for index in filled..<64 { block[index] = 0 }
            compress()
            filled = 0
        }
        for index in filled..<56 { block[index] = 0 }
        let bits = length &* 8
        for index in 0..<8 { block[56 + index] = UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64(index))) }
        compress()

        var digest: [UInt8] = []
        digest.reserveCapacity(20)
        for word in [h.0, h.1, h.2, h.3, h.4] {
            digest.append(contentsOf: [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)])
        }
        return digest
    }

    /// The digest of `bytes` as 40 lowercase hex digits, as Redis prints script SHAs.
    static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(40)
        for byte in Self.digest(bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
