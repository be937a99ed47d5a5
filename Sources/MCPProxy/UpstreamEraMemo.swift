import NIOConcurrencyHelpers

/// The era verdict of an upstream origin, shared by all connections to it: the spec caches the
/// era per origin for HTTP (per process for stdio, where each start probes). Only the
/// handshake-era verdict saves anything (a modern upstream's probe is its `server/discover`,
/// which every connection needs anyway), so that is what is kept: a later connection sends
/// `initialize` at once. When that `initialize` fails, the verdict is forgotten and the next
/// connection probes again (the spec's "re-probe if the cached assumption later fails").
public final class UpstreamEraMemo: Sendable {
    /// The replicas (0: the primary) known to speak the handshake era.
    private let handshakeReplicas = NIOLockedValueBox<Set<Int>>([])

    /// A memo that knows nothing yet.
    public init() {}

    /// Whether `replica` was found to speak the handshake era (and has not failed since).
    func knowsHandshake(replica: Int) -> Bool {
        handshakeReplicas.withLockedValue { $0.contains(replica) }
    }

    /// Records what a probe of `replica` found, or forgets it (`handshake` false).
    func record(handshake: Bool, replica: Int) {
        handshakeReplicas.withLockedValue { replicas in
            if handshake { replicas.insert(replica) } else { replicas.remove(replica) }
        }
    }
}
