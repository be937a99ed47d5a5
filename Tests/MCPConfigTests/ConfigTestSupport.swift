import XCTest
@testable import MCPConfig

/// Loads `text` and fails the test if it does not load.
func loadConfig(_ text: String, env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> ProxyConfig? {
    do {
        return try ConfigLoader.load(text: text, sourceName: "test.yaml", environment: env)
    } catch {
        XCTFail("expected the config to load, got:\n\(error)", file: file, line: line)
        return nil
    }
}

/// Loads `text`, expecting it to fail, and returns the problems.
func configProblems(_ text: String, env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> [ConfigProblem] {
    do {
        let config = try ConfigLoader.load(text: text, sourceName: "test.yaml", environment: env)
        XCTFail("expected problems, but the config loaded: \(config)", file: file, line: line)
        return []
    } catch {
        return error.problems
    }
}

/// The directory holding the example config files.
func examplesDirectory() -> String {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/configs").path
}

extension Array where Element == ConfigProblem {
    /// The problems at `keyPath`.
    func at(_ keyPath: String) -> [ConfigProblem] { filter { $0.keyPath == keyPath } }
}
