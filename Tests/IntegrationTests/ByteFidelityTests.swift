import JSONRPC
import XCTest

/// Test 4: the proxy changes only the id, the tool name and the progress token; every other byte
/// travels as the client and the upstream wrote it.
final class ByteFidelityTests: ProxyTestCase {
    func testOnlyIdNameAndTokenAreRewrittenBothWays() async throws {
        let directory = try makeDirectory()
        let config = ConfigFile(servers: [.recorded("alpha", directory: directory.path), .example("beta")])
        let proxy = try await startInitialized(config, in: directory)
        _ = try await proxy.call("tools/list")

        let sent = #"{"params":{"name":"alpha__echo",  "arguments":{"text":"caf\u00e9 \ud83d\ude00 \"quoted\" \\ \/ tab\t."},"unknownExtra":{"n":[1,2.50,-0.0,1e3,true,null],"s":"\u0041"},"_meta":{"com.example/trace":{"a":[1,2]},"progressToken":"bytes-tok","x":null}} , "method":"tools/call","id":"bytes-1","jsonrpc":"2.0"}"#
        try proxy.send(sent)
        let response = try await proxy.response(to: #""bytes-1""#)
        XCTAssertEqual(response.toolText, "café 😀 \"quoted\" \\ / tab\t.", response.line)

        // Upstream side: the exact line the example server read.
        let upstreamLine = try await waitForLine(in: directory.path + "/alpha-in.log", containing: "unknownExtra")
        let upstreamID = try XCTUnwrap(json(upstreamLine)["id"]?.intValue, "the upstream must get an integer id: \(upstreamLine)")
        let expectedUpstream = sent
            .replacingOccurrences(of: #""id":"bytes-1""#, with: #""id":\#(upstreamID)"#)
            .replacingOccurrences(of: #""name":"alpha__echo""#, with: #""name":"echo""#)
            .replacingOccurrences(of: #""progressToken":"bytes-tok""#, with: #""progressToken":\#(upstreamID)"#)
        XCTAssertEqual(upstreamLine, expectedUpstream, "only id, name and progress token may change on the way up")

        // Client side: the exact line the example server wrote, with only the id changed back.
        let answer = try await waitForLine(in: directory.path + "/alpha-out.log", containing: #""id":\#(upstreamID),"#)
        XCTAssertEqual(response.line, answer.replacingOccurrences(of: #""id":\#(upstreamID),"#, with: #""id":"bytes-1","#),
                       "only the id may change on the way down")
    }
}
