/// The 64-bit FNV-1a hash: stable across processes and platforms, unlike Swift's seeded `Hasher`.
/// Used for deterministic short aliases, never for security.
enum FNV1a {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The FNV-1a 64 hash of `bytes`.
    static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var state = offsetBasis
        for byte in bytes {
            state ^= UInt64(byte)
            state = state &* prime
        }
        return state
    }
}
