import Crypto
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The sessions clients ended (DELETE), which no replica may serve again.
///
/// `isRevoked` runs on the front's event loops for every request to a session the replica does
/// not hold: it must answer from memory. A shared implementation keeps its memory current from
/// the other replicas (``RedisRevocationList``).
public protocol RevocationList: Sendable {
    /// Whether session `id` was ended.
    func isRevoked(_ id: String) -> Bool
    /// Ends session `id`; `until` (seconds since 1970) is when its id expires anyway, after
    /// which the entry may be forgotten.
    func revoke(_ id: String, until: UInt64)
}

/// The fixed-size name of a revoked id (its sealed form can be kilobytes).
enum RevocationKey {
    static func of(_ id: String) -> String {
        let digest = SHA256.hash(data: Array(id.utf8))
        return digest.prefix(16).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }.joined()
    }
}

/// Revocations kept in this process only: enough for one replica, and the memory of a shared list.
public final class LocalRevocationList: RevocationList {
    private let entries = Mutex<[String: UInt64]>([:])
    private let now: @Sendable () -> UInt64

    /// Creates an empty list; `now` gives seconds since 1970.
    public init(now: @escaping @Sendable () -> UInt64 = SystemClockSeconds.now) {
        self.now = now
    }

    /// See ``RevocationList/isRevoked(_:)``.
    public func isRevoked(_ id: String) -> Bool {
        contains(key: RevocationKey.of(id))
    }

    /// See ``RevocationList/revoke(_:until:)``.
    public func revoke(_ id: String, until: UInt64) {
        insert(key: RevocationKey.of(id), until: until)
    }

    /// The number of entries kept.
    public var count: Int { entries.withLock { $0.count } }

    func contains(key: String) -> Bool {
        entries.withLock { $0[key] != nil }
    }

    func insert(key: String, until: UInt64) {
        let now = self.now()
        entries.withLock { entries in
            entries[key] = until
            if entries.count % 1024 == 0 { entries = entries.filter { $0.value > now } }
        }
    }
}

/// Wall-clock seconds since 1970, without Foundation.
public enum SystemClockSeconds {
    /// Now.
    @Sendable public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(spec.tv_sec, 0))
    }
}
