/// Why a session id could not be sealed or opened, or a key could not be used.
public enum SessionSealError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `proxy.cluster.sessionKeys[index]` is not a base64 encoding of 32 bytes.
    case invalidKey(index: Int, reason: String)
    /// No key is configured.
    case noKeys
    /// The id is not one this gateway issues (wrong shape, version or length).
    case malformed
    /// The id was sealed with a key this replica does not hold.
    case unknownKey
    /// The id fails authentication: it was altered, or forged.
    case tampered
    /// The id's session expired at this time (seconds since 1970).
    case expired(at: UInt64)
    /// The state is larger than an id may carry.
    case tooLarge(limit: Int)

    /// What happened and what to do.
    public var description: String {
        switch self {
        case .invalidKey(let index, let reason):
            return "proxy.cluster.sessionKeys[\(index)] is not usable: \(reason); generate one with `openssl rand -base64 32`"
        case .noKeys:
            return "proxy.cluster.sessionKeys is empty; give at least one base64 32-byte key (`openssl rand -base64 32`)"
        case .malformed:
            return "the session id is not one this gateway issued; initialize a new session"
        case .unknownKey:
            return "the session id was sealed with a key this replica does not hold; keep retired keys in sessionKeys until their sessions expire"
        case .tampered:
            return "the session id failed authentication (altered or forged); initialize a new session"
        case .expired(let at):
            return "the session expired at \(at) (seconds since 1970); initialize a new session"
        case .tooLarge(let limit):
            return "the session state exceeds \(limit) bytes and cannot be sealed into an id"
        }
    }
}
