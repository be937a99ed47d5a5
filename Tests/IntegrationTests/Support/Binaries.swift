import Foundation

/// Where the built `mcp-proxy` and `example-server` are: next to the running test bundle.
enum Binaries {
    /// The directory of the running test executable (`<scratch>/debug/`).
    static let directory: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? "."
        return URL(fileURLWithPath: executable).deletingLastPathComponent().path
    }()

    static var proxy: String { directory + "/mcp-proxy" }
    static var exampleServer: String { directory + "/example-server" }

    /// Throws with a hint when the binaries were not built.
    static func check() throws {
        for path in [proxy, exampleServer] where !FileManager.default.isExecutableFile(atPath: path) {
            throw IntegrationFailure("\(path) is missing; build with 'swift build --build-tests' so the executables sit next to the test bundle")
        }
    }
}
