import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The error for a listener that could not bind: which address, and plainly when the port is taken.
enum ListenFailure {
    /// `what` names the listener in the message ("" for the MCP front, "for admin pages").
    static func error(_ underlying: any Error, what: String, host: String, port: Int) -> TransportError {
        let listener = what.isEmpty ? "cannot listen" : "cannot listen \(what)"
        if let io = underlying as? IOError, io.errnoCode == EADDRINUSE {
            return TransportError("\(listener) on \(host):\(port): port \(port) is already in use by another process; stop that process or pick another port")
        }
        if let io = underlying as? IOError, io.errnoCode == EACCES {
            return TransportError("\(listener) on \(host):\(port): permission denied (ports below 1024 need privileges); pick a port above 1023")
        }
        return TransportError("\(listener) on \(host):\(port): \(underlying); pick a free port or another address")
    }
}
