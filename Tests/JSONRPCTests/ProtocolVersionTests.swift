import Foundation
import JSONRPC
import XCTest

final class ProtocolVersionTests: XCTestCase {
    func testNegotiateEchoesSupportedVersions() {
        for version in ProtocolVersion.handshakeEra {
            XCTAssertEqual(
                ProtocolVersion.negotiate(requested: version.rawValue, supported: ProtocolVersion.handshakeEra), version)
        }
    }

    func testNegotiateFallsBackToTheNewestSupported() {
        XCTAssertEqual(
            ProtocolVersion.negotiate(requested: "2099-01-01", supported: ProtocolVersion.handshakeEra), .v2025_11_25)
        XCTAssertEqual(
            ProtocolVersion.negotiate(requested: "2024-10-07", supported: [.v2025_03_26, .v2024_11_05]), .v2025_03_26)
        XCTAssertEqual(ProtocolVersion.negotiate(requested: "garbage", supported: []), .latestHandshake)
    }

    func testOrderingAndConstants() {
        XCTAssertEqual(ProtocolVersion.handshakeEra, [.v2024_11_05, .v2025_03_26, .v2025_06_18, .v2025_11_25])
        XCTAssertEqual(ProtocolVersion.handshakeEra, ProtocolVersion.handshakeEra.sorted())
        XCTAssertLessThan(ProtocolVersion.v2025_11_25, .v2026_07_28)
        XCTAssertEqual(ProtocolVersion.latestHandshake.rawValue, "2025-11-25")
        XCTAssertEqual(ProtocolVersion.v2026_07_28.description, "2026-07-28")
        XCTAssertTrue(ProtocolVersion.v2025_11_25.usesHandshake)
        XCTAssertFalse(ProtocolVersion.v2026_07_28.usesHandshake)
    }

    func testOnlyMarch2025AcceptsBatches() {
        XCTAssertTrue(ProtocolVersion.v2025_03_26.acceptsBatches)
        for version in [ProtocolVersion.v2024_11_05, .v2025_06_18, .v2025_11_25, .v2026_07_28] {
            XCTAssertFalse(version.acceptsBatches, version.rawValue)
        }
    }

    func testCodableAsAPlainString() throws {
        let data = try JSONEncoder().encode([ProtocolVersion.v2025_06_18])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["2025-06-18"]"#)
        XCTAssertEqual(try JSONDecoder().decode([ProtocolVersion].self, from: data), [.v2025_06_18])
    }
}
