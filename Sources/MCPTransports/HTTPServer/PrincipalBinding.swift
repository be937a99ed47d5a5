import JSONRPC
import NIOConcurrencyHelpers

/// The principal a front session is bound to: set by the request that created the session, and
/// refreshed by later requests of the same identity (a renewed token may carry other roles).
final class PrincipalBinding: Sendable {
    private let box: NIOLockedValueBox<Principal>

    init(_ principal: Principal) {
        box = NIOLockedValueBox(principal)
    }

    /// The principal now.
    var current: Principal {
        box.withLockedValue { $0 }
    }

    /// True when `candidate` is the same identity as the bound principal; the binding then takes
    /// `candidate` (so its roles and scopes apply from now on). False for another identity.
    func admits(_ candidate: Principal) -> Bool {
        box.withLockedValue { bound in
            if bound === candidate { return true }
            guard bound.identityKey == candidate.identityKey else { return false }
            bound = candidate
            return true
        }
    }
}
