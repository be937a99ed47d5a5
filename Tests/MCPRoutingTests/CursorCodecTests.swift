import XCTest

@testable import MCPRouting

final class CursorCodecTests: XCTestCase {
    let codec = CursorCodec(secret: Array("per-process secret for tests".utf8))

    func testRoundTrip() {
        for cursor in [
            CatalogCursor(generation: 0, offset: 0, list: "tools"),
            CatalogCursor(generation: 7, offset: 50, list: "resources"),
            CatalogCursor(generation: .max, offset: .max, list: "resourceTemplates"),
        ] {
            let text = codec.encode(cursor)
            XCTAssertTrue(
                text.unicodeScalars.allSatisfy {
                    ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
                }, text)
            XCTAssertEqual(codec.decode(text, list: cursor.list), cursor)
        }
    }

    func testWrongListIsRejected() {
        let text = codec.encode(CatalogCursor(generation: 1, offset: 10, list: "tools"))
        XCTAssertNil(codec.decode(text, list: "prompts"))
        XCTAssertNotNil(codec.decode(text, list: "tools"))
    }

    func testOtherSecretIsRejected() {
        let text = codec.encode(CatalogCursor(generation: 1, offset: 10, list: "tools"))
        XCTAssertNil(CursorCodec(secret: Array("another secret".utf8)).decode(text, list: "tools"))
        XCTAssertNil(CursorCodec().decode(text, list: "tools"))
    }

    func testEveryTamperedCharacterIsRejected() {
        let text = codec.encode(CatalogCursor(generation: 3, offset: 20, list: "tools"))
        let characters = Array(text)
        for position in characters.indices {
            var tampered = characters
            tampered[position] = tampered[position] == "A" ? "B" : "A"
            XCTAssertNil(codec.decode(String(tampered), list: "tools"), "changed position \(position)")
        }
    }

    func testGarbageIsRejected() {
        let valid = codec.encode(CatalogCursor(generation: 3, offset: 20, list: "tools"))
        for garbage in ["", "abc", "!!!!", valid + "A", String(valid.dropLast()), valid + "=", String(repeating: "A", count: 10_000), "🙂"] {
            XCTAssertNil(codec.decode(garbage, list: "tools"), garbage)
        }
    }

    func testNegativeOffsetDoesNotDecode() {
        let text = codec.encode(CatalogCursor(generation: 3, offset: -1, list: "tools"))
        XCTAssertNil(codec.decode(text, list: "tools"))
    }

    func testSipHashReferenceVectors() {
        // Key 00 01 ... 0f; messages of length 0 and 1 (bytes 00 ...) from the SipHash paper's vectors.
        let key0: UInt64 = 0x0706_0504_0302_0100
        let key1: UInt64 = 0x0f0e_0d0c_0b0a_0908
        XCTAssertEqual(SipHash.hash(key0: key0, key1: key1, message: []), 0x726f_db47_dd0e_0e31)
        XCTAssertEqual(SipHash.hash(key0: key0, key1: key1, message: [0]), 0x74f8_39c5_93dc_67fd)
        XCTAssertEqual(
            SipHash.hash(key0: key0, key1: key1, message: Array(0..<15)), 0xa129_ca61_49be_45e5)
    }

    func testBase64URL() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 250) }
            XCTAssertEqual(Base64URL.decode(Base64URL.encode(bytes)), bytes)
        }
        XCTAssertEqual(Base64URL.encode(Array("hi?>".utf8)), "aGk_Pg")
        XCTAssertNil(Base64URL.decode("aGk_Ph"), "non-zero unused bits")
        XCTAssertNil(Base64URL.decode("a"), "a lone character")
        XCTAssertNil(Base64URL.decode("aG+k"), "standard alphabet")
    }
}
