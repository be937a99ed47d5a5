import Foundation

/// Runs a command to completion and collects stdout and stderr together.
enum CommandRun {
    struct Outcome {
        let status: Int32
        let output: String
    }

    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(20)) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let directory = FileManager.default.temporaryDirectory.path + "/mcp-proxy-it-out-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: directory, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: directory))
        process.standardOutput = sink
        process.standardError = sink
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                throw IntegrationFailure("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        try? sink.close()
        let output = (try? String(contentsOfFile: directory, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, output: output)
    }
}
