import MCPRouting

/// The id alphabet, for tests that edit ids byte by byte.
enum Base64URLForTests {
    static func decode(_ text: String) -> [UInt8]? { Base64URL.decode(text) }
    static func encode(_ bytes: [UInt8]) -> String { Base64URL.encode(bytes) }
}
