import NIOConcurrencyHelpers
import MCPTransports

/// Ends this replica's copy of a session that another replica revoked; the front is attached
/// once it exists (revocations may be announced before).
final class FrontSessionTerminator: Sendable {
    private let server = NIOLockedValueBox<HTTPFrontServer?>(nil)

    func attach(_ front: HTTPFrontServer) {
        server.withLockedValue { $0 = front }
    }

    func end(_ id: String) {
        server.withLockedValue { $0 }?.endSession(id: id)
    }
}
