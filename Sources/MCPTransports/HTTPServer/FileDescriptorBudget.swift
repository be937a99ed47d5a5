#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many connections the process's open-files limit leaves room for.
enum FileDescriptorBudget {
    /// Descriptors kept free for everything that is not a client connection: the admin listener
    /// and its clients, upstream sockets and pipes, log files.
    static func reserve(forLimit limit: Int) -> Int {
        max(32, limit / 8)
    }

    /// `configured`, lowered so that open connections leave `reserve` descriptors free under the
    /// soft `RLIMIT_NOFILE` (counting the descriptors open now). Returns `configured` when the
    /// limit is unknown or unlimited.
    static func connectionCap(configured: Int) -> Int {
        var limits = rlimit()
        guard getrlimit(resourceLimitNoFile, &limits) == 0, limits.rlim_cur != rlim_t.max,
              limits.rlim_cur < rlim_t(Int.max) else { return configured }
        let limit = Int(limits.rlim_cur)
        if limit >= configured + reserve(forLimit: limit) + 65_536 { return configured }
        let available = limit - openDescriptors(below: limit) - reserve(forLimit: limit)
        return max(1, min(configured, available))
    }

    /// The number of descriptors open now (probing with `fcntl`, at most `limit`).
    private static func openDescriptors(below limit: Int) -> Int {
        var open = 0
        for fd in 0..<CInt(min(limit, 65_536)) where fcntl(fd, F_GETFD) != -1 {
            open += 1
        }
        return open
    }

    #if canImport(Glibc)
    private static let resourceLimitNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceLimitNoFile = RLIMIT_NOFILE
    #endif
}
