import Foundation
import XCTest

/// `mcp-proxy serve` reloads its config file on SIGHUP without dropping anyone; a broken file
/// changes nothing.
final class ServeReloadTests: NetworkTestCase {
    func testSIGHUPReloadsTheConfigFileForOpenAndNewSessions() async throws {
        try Binaries.check()
        let directory = try makeDirectory()
        let serve = try await startServe(NetworkConfigText.make([.stdio(name: "alpha")]), in: directory)
        let configPath = directory.path + "/serve.yaml"
        let url = serve.base + "/mcp"

        let before = try await connect(.remote("before", url: url, kind: .streamableHTTP))
        _ = try directory.write("serve.yaml", NetworkConfigText.make([.stdio(name: "alpha"), .stdio(name: "beta")]))
        XCTAssertTrue(FileManager.default.fileExists(atPath: configPath))
        kill(serve.process.pid, SIGHUP)
        _ = try await serve.process.waitForLog(#"(configuration reloaded)"#, what: "the reload")

        let after = try await connect(.remote("after", url: url, kind: .streamableHTTP))
        let beta = try await after.callTool("beta__echo", arguments: #"{"text":"new"}"#)
        XCTAssertNil(beta.errorCode, "\(beta)")
        let old = try await before.callTool("alpha__echo", arguments: #"{"text":"old"}"#)
        XCTAssertNil(old.errorCode, "the open session keeps working: \(old)")
        let movedBeta = try await before.callTool("beta__echo", arguments: #"{"text":"x"}"#)
        XCTAssertNil(movedBeta.errorCode, "the open session moved onto the new configuration: \(movedBeta)")

        // A broken file: logged, nothing changes, the proxy keeps serving.
        _ = try directory.write("serve.yaml", "mcpServers:\n  gamma:\n    comand: nothing\n")
        kill(serve.process.pid, SIGHUP)
        _ = try await serve.process.waitForLog(#"(reload refused)"#, what: "the refused reload")
        let still = try await connect(.remote("still", url: url, kind: .streamableHTTP))
        let stillBeta = try await still.callTool("beta__echo", arguments: #"{"text":"kept"}"#)
        XCTAssertNil(stillBeta.errorCode, "the last good configuration still serves: \(stillBeta)")
        XCTAssertTrue(serve.process.process.isRunning)
    }

    func testWatchConfigReloadsWhenTheFileChanges() async throws {
        try Binaries.check()
        let directory = try makeDirectory()
        let serve = try await ServeProcess.start(config: NetworkConfigText.make([.stdio(name: "alpha")]), directory: directory,
                                                 extraArguments: ["--watch-config"])
        addTeardownBlock { await serve.process.stop() }
        _ = try await serve.process.waitForLog(#"(watching the config file)"#, what: "the watch")
        _ = try directory.write("serve.yaml", NetworkConfigText.make([.stdio(name: "alpha"), .stdio(name: "beta")]))
        _ = try await serve.process.waitForLog(#"(configuration reloaded)"#, what: "the reload after the file changed")
        let client = try await connect(.remote("watched", url: serve.base + "/mcp", kind: .streamableHTTP))
        let beta = try await client.callTool("beta__echo", arguments: #"{"text":"watched"}"#)
        XCTAssertNil(beta.errorCode, "\(beta)")
    }
}
