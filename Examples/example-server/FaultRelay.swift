import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP relay in front of the `--http` server when `--faults` is on: it passes bytes both ways
/// unchanged, except that a connection whose request calls the tool `reset` (a body with
/// `"name":"reset"`) is reset (RST, SO_LINGER 0) before the call reaches the server. Plain
/// sockets and two threads per connection: it serves tests, not traffic.
enum FaultRelay {
    /// Listens on `host:port` and relays each connection to 127.0.0.1:`innerPort`; returns the bound port.
    static func start(host: String, port: Int, innerPort: Int) throws -> Int {
        let listener = try openListener(host: host, port: port)
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let family = address.ss_family
        let bound = withUnsafePointer(to: &address) { pointer -> Int in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
        let acceptor = Thread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else {
                    if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE { usleep(10_000); continue }
                    return
                }
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                relay(client: client, innerPort: innerPort)
            }
        }
        acceptor.start()
        return bound
    }

    struct RelayError: Error, CustomStringConvertible {
        let description: String
    }

    private static func openListener(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw RelayError(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RelayError(description: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(fd, 256) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RelayError(description: "cannot listen on \(host):\(port): \(reason)")
        }
        return fd
    }

    private static func connectInner(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private static func relay(client: Int32, innerPort: Int) {
        guard let inner = connectInner(port: innerPort) else {
            close(client)
            return
        }
        let pair = Pair(client: client, inner: inner)
        Thread { pair.pump(from: client, to: inner, watchForReset: true) }.start()
        Thread { pair.pump(from: inner, to: client, watchForReset: false) }.start()
    }

    /// One relayed connection: both descriptors are closed once both directions ended.
    private final class Pair: @unchecked Sendable {
        // @unchecked: the descriptors are immutable; `state` is a lock.
        let client: Int32
        let inner: Int32
        private let state = NIOLockedValueBox((ended: 0, reset: false))

        init(client: Int32, inner: Int32) {
            self.client = client
            self.inner = inner
        }

        func pump(from source: Int32, to destination: Int32, watchForReset: Bool) {
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            var carry: [UInt8] = []
            while true {
                let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                let chunk = buffer[0..<count]
                if watchForReset {
                    let window = carry + chunk
                    if FaultRelay.callsReset(window) {
                        reset()
                        finish()
                        return
                    }
                    carry = Array(window.suffix(64))
                }
                guard !state.withLockedValue({ $0.reset }), writeAll(chunk, to: destination) else { break }
            }
            // Pass the end on (the other side reads EOF once it has read everything), unless the
            // connection is being reset: then the client must see RST, not FIN.
            if !state.withLockedValue({ $0.reset }) { shutdown(destination, Int32(SHUT_WR)) }
            finish()
        }

        /// Arms an abortive close of the client's connection and ends the other direction.
        private func reset() {
            FileHandle.standardError.write(Data("example-server: resetting a connection that called 'reset'\n".utf8))
            var abortive = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &abortive, socklen_t(MemoryLayout<linger>.size))
            state.withLockedValue { $0.reset = true }
            shutdown(inner, Int32(SHUT_RDWR))
        }

        private func finish() {
            let last = state.withLockedValue { state -> Bool in
                state.ended += 1
                return state.ended == 2
            }
            guard last else { return }
            close(client)  // with SO_LINGER 0 after a reset: the peer gets RST
            close(inner)
        }

        private func writeAll(_ bytes: ArraySlice<UInt8>, to fd: Int32) -> Bool {
            var offset = bytes.startIndex
            while offset < bytes.endIndex {
                let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// True when `bytes` hold `"name"`, optional blanks, `:`, optional blanks, `"reset"`.
    static func callsReset(_ bytes: [UInt8]) -> Bool {
        let key = Array("\"name\"".utf8)
        let value = Array("\"reset\"".utf8)
        guard bytes.count >= key.count + 1 + value.count else { return false }
        var index = 0
        while index + key.count <= bytes.count {
            if bytes[index] == key[0] && Array(bytes[index..<index + key.count]) == key {
                var cursor = index + key.count
                func skipBlanks() { while cursor < bytes.count && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[cursor]) { cursor += 1 } }
                skipBlanks()
                if cursor < bytes.count && bytes[cursor] == UInt8(ascii: ":") {
                    cursor += 1
                    skipBlanks()
                    if cursor + value.count <= bytes.count && Array(bytes[cursor..<cursor + value.count]) == value { return true }
                }
            }
            index += 1
        }
        return false
    }
}
