import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mcp-proxy serve` under a 256-descriptor limit (`ulimit -n 256` in a child shell, since the
/// limit is process-wide) with 250 idle connections: the front keeps descriptors in reserve and
/// pauses accepting on `EMFILE`, so `/healthz` still answers and the proxy does not spin.
final class DescriptorExhaustionTests: NetworkTestCase {
    func testIdleConnectionsAtTheOpenFilesLimitNeitherSpinNorStarveTheAdminListener() async throws {
        let directory = try makeDirectory()
        let config = NetworkConfigText.make([.stdio(name: "st")])
        let path = try directory.write("serve.yaml", config)
        let script = "ulimit -n 256 && exec \(ConfigFile.quote(Binaries.proxy)) serve --config \(ConfigFile.quote(path))"
            + " --listen 127.0.0.1:0 --admin 127.0.0.1:0"
        let process = try BackgroundProcess(label: "serve-256", executable: "/bin/sh", arguments: ["-c", script], directory: directory)
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        do {
            let adminText = try await process.waitForLog(#"url=http://127\.0\.0\.1:(\d+).*admin listening"#, what: "the admin listener's url")
            let frontText = try await process.waitForLog(#"url=http://127\.0\.0\.1:(\d+).*\] listening"#, what: "the front's url")
            guard let port = Int(frontText), let adminPort = Int(adminText) else { throw IntegrationFailure("bad ports \(frontText) \(adminText)") }

            for _ in 0..<250 {
                sockets.append(try Self.connect(port: port))
            }
            try await Task.sleep(for: .milliseconds(500))
            let closedByProxy = sockets.filter(Self.isClosedByPeer).count

            let before = try Self.cpuTicks(of: process.pid)
            try await Task.sleep(for: .seconds(2))
            let after = try Self.cpuTicks(of: process.pid)
            let cpuSeconds = Double(after - before) / Double(sysconf(Int32(_SC_CLK_TCK)))

            let health = try RawHTTP.request("GET", port: adminPort, path: "/healthz", timeout: .seconds(3))
            print("250 idle connections under ulimit -n 256: \(closedByProxy) closed at accept, CPU \(cpuSeconds) s over 2 s, /healthz \(health.status)")
            XCTAssertEqual(health.status, 200, "the admin listener answers: \(health)")
            XCTAssertLessThan(cpuSeconds, 0.3, "the proxy does not spin (CPU seconds over 2 s)")
            XCTAssertGreaterThan(closedByProxy, 0, "connections past the descriptor budget are closed at accept")
            XCTAssertTrue(process.process.isRunning)

            // With the idle connections gone, the front serves again.
            for fd in sockets { close(fd) }
            sockets.removeAll()
            try await Task.sleep(for: .milliseconds(300))
            let initialize = try RawHTTP.request(
                "POST", port: port, path: "/mcp", headers: RawHTTP.mcpHeaders(version: nil),
                body: #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#,
                timeout: .seconds(5))
            XCTAssertEqual(initialize.status, 200, "\(initialize)")
        } catch {
            await process.stop()
            throw IntegrationFailure("\(error)\n\(process.logTail)")
        }
        await process.stop()
    }

    /// A connected TCP socket to 127.0.0.1:`port` that never sends anything.
    private static func connect(port: Int) throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw IntegrationFailure("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw IntegrationFailure("cannot connect to 127.0.0.1:\(port): errno \(code)")
        }
        return fd
    }

    /// True when the peer closed the connection (a read would return end of file or a reset).
    private static func isClosedByPeer(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// utime + stime of process `pid`, in clock ticks.
    private static func cpuTicks(of pid: Int32) throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = text.lastIndex(of: ")") else { throw IntegrationFailure("unreadable /proc/\(pid)/stat") }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw IntegrationFailure("unreadable /proc/\(pid)/stat: \(text)")
        }
        return user + system
    }
}
