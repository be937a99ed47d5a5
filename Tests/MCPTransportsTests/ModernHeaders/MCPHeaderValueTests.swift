import Testing
@testable import MCPTransports

/// The `=?base64?…?=` codec against the spec's table (era-2026.md §2.6) and the Python SDK.
struct MCPHeaderValueTests {
    /// Value → header text; every pair was checked against `mcp.shared.inbound.encode_header_value`.
    static let encodings: [(String, String)] = [
        ("us-west1", "us-west1"),
        ("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        (" padded ", "=?base64?IHBhZGRlZCA=?="),
        ("line1\nline2", "=?base64?bGluZTEKbGluZTI=?="),
        ("=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="),
        ("Zürich", "=?base64?WsO8cmljaA==?="),
        ("echo", "echo"),
        ("", ""),
        ("a\tb", "=?base64?YQli?="),
        ("=?base64??=", "=?base64?PT9iYXNlNjQ/Pz0=?="),
        ("😀 x", "=?base64?8J+YgCB4?="),
        ("trailing ", "=?base64?dHJhaWxpbmcg?="),
        ("inner space ok", "inner space ok"),
        ("~!#$%&'*+-.^_`|", "~!#$%&'*+-.^_`|"),
        ("del\u{7F}", "=?base64?ZGVsfw==?="),
    ]

    @Test(arguments: encodings)
    func encodesLikeTheSDK(value: String, header: String) {
        #expect(MCPHeaderValue.encode(value) == header)
    }

    @Test(arguments: encodings)
    func decodesWhatItEncodes(value: String, header: String) {
        #expect(MCPHeaderValue.decode(header) == value)
    }

    @Test func decodesTheBase64FormOfASafeName() {
        // The SDK server accepts `Mcp-Name: =?base64?ZWNobw==?=` for the tool `echo` (era-2026.md §2.6).
        #expect(MCPHeaderValue.decode("=?base64?ZWNobw==?=") == "echo")
    }

    /// Headers that stand for no value (→ a mismatch, -32020).
    @Test(arguments: [
        "=?base64?SGVsbG9=?=",  // non-zero trailing bits: "Hello" is SGVsbG8=
        "=?base64?SGVsbA=x?=",  // padding before a character
        "=?base64?SGVsbG8?=",  // missing padding
        "=?base64?SGVsbG8==?=",  // wrong length
        "=?base64?SGV$bG8=?=",  // outside the alphabet
        "=?base64?SGVs bG8=?=",  // space inside
        "=?base64?-_8=?=",  // URL alphabet
        "=?base64?/w==?=",  // 0xFF is not UTF-8
        "=?base64?7aCA?=",  // an encoded surrogate (ED A0 80) is not UTF-8
        "=?base64?=?=",  // lone padding
        "Zürich",  // raw non-ASCII: a conforming sender wraps it
        "a\u{1}b",  // control character
    ])
    func rejectsWhatNoEncoderSends(header: String) {
        #expect(MCPHeaderValue.decode(header) == nil)
    }

    @Test func markersAreCaseSensitive() {
        #expect(MCPHeaderValue.decode("=?BASE64?SGVsbG8=?=") == "=?BASE64?SGVsbG8=?=")
        #expect(MCPHeaderValue.isSentinelShaped("=?BASE64?SGVsbG8=?=") == false)
        #expect(MCPHeaderValue.isSafeVerbatim("=?BASE64?x?=") == true)
    }

    @Test func markersDoNotOverlap() {
        #expect(MCPHeaderValue.isSentinelShaped("=?base64?=") == false)
        #expect(MCPHeaderValue.isSentinelShaped("=?base64??=") == true)
        #expect(MCPHeaderValue.decode("=?base64??=") == "")
        #expect(MCPHeaderValue.decode("=?base64?=") == "=?base64?=")
    }

    @Test func tabIsAcceptedVerbatimButNeverSentVerbatim() {
        #expect(MCPHeaderValue.decode("a\tb") == "a\tb")
        #expect(MCPHeaderValue.isSafeVerbatim("a\tb") == false)
    }

    @Test(arguments: 0..<64)
    func roundTripsEveryLength(length: Int) {
        let value = String((0..<length).map { Character(Unicode.Scalar(UInt8(0x20 + ($0 * 37) % 0x5F))) }) + "é"
        let header = MCPHeaderValue.encode(value)
        #expect(header.hasPrefix("=?base64?"))
        #expect(MCPHeaderValue.decode(header) == value)
    }

    @Test func base64IsCanonicalForEveryByteAtEveryPosition() {
        for byte in 0...255 {
            for count in 1...3 {
                let bytes = [UInt8](repeating: UInt8(byte), count: count)
                let text = StandardBase64.encode(bytes)
                #expect(StandardBase64.decode(Array(text.utf8)) == bytes)
            }
        }
    }
}
