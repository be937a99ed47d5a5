import JSONRPC
import NIOConcurrencyHelpers
import NIOCore

/// The internal sessions that serve 2026-07-28 requests on the Streamable HTTP front: one per
/// client connection (and principal), never named to the client. Modern requests carry their
/// own envelope, so any session could serve them; one per connection keeps request ids apart
/// (a client's ids are unique only among its own outstanding requests, and an HTTP/1.1
/// connection carries one request at a time), and a connection's close ends its session, which
/// cancels what the client abandoned (closing the stream is a modern client's cancellation).
final class ModernConnectionSessions: Sendable {
    private struct Key: Hashable {
        let connection: ObjectIdentifier
        let identity: String
    }

    private let sessions = NIOLockedValueBox<[Key: StreamableHTTPSession]>([:])

    /// The session for requests of `principal` on `channel`: the live one, or nil when a new one
    /// must be made (``add(_:channel:principal:)``).
    func session(on channel: any Channel, principal: Principal) -> StreamableHTTPSession? {
        sessions.withLockedValue { $0[Key(connection: ObjectIdentifier(channel), identity: principal.identityKey)] }
    }

    /// Remembers `session` for `channel` until the connection closes, then ends it.
    func add(_ session: StreamableHTTPSession, channel: any Channel, principal: Principal) {
        let key = Key(connection: ObjectIdentifier(channel), identity: principal.identityKey)
        sessions.withLockedValue { $0[key] = session }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.sessions.withLockedValue { $0.removeValue(forKey: key) }
            session.terminate(.endOfStream)
        }
    }
}
