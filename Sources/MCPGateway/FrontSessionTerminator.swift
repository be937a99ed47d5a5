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

    /// Ends this replica's sessions whose id is in the revoked set (by digest): for revocations
    /// this replica learned by loading the shared set, without hearing their announcement (its
    /// pub/sub connection was down when they were made).
    func endRevoked(_ isRevoked: (String) -> Bool) {
        guard let front = server.withLockedValue({ $0 }) else { return }
        for id in front.sessionIDs where isRevoked(id) { front.endSession(id: id) }
    }
}
