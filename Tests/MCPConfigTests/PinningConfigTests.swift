import XCTest
@testable import MCPConfig

/// `proxy.pinning`: mode, file, onNew, and how `file` resolves.
final class PinningConfigTests: XCTestCase {
    private let server = "mcpServers: { a: { command: x } }\n"

    private func problems(_ text: String) -> [String] {
        configProblems(text).map(\.description)
    }

    func testAbsentIsOff() throws {
        let config = try XCTUnwrap(loadConfig(server))
        XCTAssertNil(config.proxy.pinning)
    }

    func testFullSection() throws {
        let config = try XCTUnwrap(loadConfig(server + "proxy:\n  pinning: { mode: enforce, file: pins.json, onNew: quarantine }\n"))
        XCTAssertEqual(config.proxy.pinning, PinningSettings(mode: .enforce, file: "pins.json", onNew: .quarantine))
    }

    func testDefaults() throws {
        let config = try XCTUnwrap(loadConfig(server + "proxy: { pinning: { file: \"${DIR}/p.json\" } }\n", env: ["DIR": "/var/lib/gw"]))
        XCTAssertEqual(config.proxy.pinning, PinningSettings(mode: .off, file: "/var/lib/gw/p.json", onNew: .allow))
        let warn = try XCTUnwrap(loadConfig(server + "proxy: { pinning: { mode: warn, file: p.json } }\n"))
        XCTAssertEqual(warn.proxy.pinning?.onNew, .allow)
        // mode: off needs no file.
        let off = try XCTUnwrap(loadConfig(server + "proxy: { pinning: { mode: off } }\n"))
        XCTAssertNil(off.proxy.pinning)
    }

    func testBadValuesAreNamed() {
        XCTAssertTrue(problems(server + "proxy: { pinning: { mode: strict, file: p.json } }\n")
            .contains { $0.contains("proxy.pinning.mode") && $0.contains("off, warn, enforce") })
        XCTAssertTrue(problems(server + "proxy: { pinning: { mode: enforce, file: p.json, onNew: deny } }\n")
            .contains { $0.contains("proxy.pinning.onNew") && $0.contains("allow, quarantine") })
        XCTAssertTrue(problems(server + "proxy: { pinning: { mode: enforce } }\n")
            .contains { $0.contains("proxy.pinning") && $0.contains("file is required") })
        XCTAssertTrue(problems(server + "proxy: { pinning: { mode: enforce, file: \"\" } }\n")
            .contains { $0.contains("proxy.pinning.file") && $0.contains("empty") })
        XCTAssertTrue(problems(server + "proxy: { pinning: { mode: enforce, file: /var/pins/ } }\n")
            .contains { $0.contains("proxy.pinning.file") && $0.contains("directory") })
        XCTAssertTrue(problems(server + "proxy: { pinning: { mode: enforce, path: p.json } }\n")
            .contains { $0.contains("proxy.pinning.path") && $0.contains("write it as file") })
        XCTAssertTrue(problems(server + "proxy: { pinning: enforce }\n")
            .contains { $0.contains("proxy.pinning") && $0.contains("mapping") })
    }

    func testRelativeFileResolvesAgainstTheConfigDirectory() {
        let relative = PinningSettings(mode: .enforce, file: "state/pins.json")
        XCTAssertEqual(relative.resolvedFile(configPath: "/etc/mcp/proxy.yaml"), "/etc/mcp/state/pins.json")
        XCTAssertEqual(PinningSettings(mode: .enforce, file: "../pins.json").resolvedFile(configPath: "/etc/mcp/proxy.yaml"), "/etc/pins.json")
        XCTAssertEqual(PinningSettings(mode: .enforce, file: "/srv/pins.json").resolvedFile(configPath: "/etc/mcp/proxy.yaml"), "/srv/pins.json")
        XCTAssertEqual(relative.resolvedFile(configPath: nil), "state/pins.json", "config text without a file: as given")
    }

    func testLoadedFromAFileResolvesThere() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pincfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("proxy.yaml").path
        try (server + "proxy: { pinning: { mode: warn, file: pins.json } }\n").write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: path, environment: [:])
        XCTAssertEqual(config.proxy.pinning?.resolvedFile(configPath: config.sourcePath), directory.appendingPathComponent("pins.json").standardizedFileURL.path)
    }
}
