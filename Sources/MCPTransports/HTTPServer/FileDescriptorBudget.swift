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

    /// The number of descriptors open now: the entries of `/proc/self/fd` on Linux (a few
    /// system calls), else probing each number below `limit` with `fcntl` (one call each: with a
    /// limit of 20,000 that took about 40 ms of every start).
    private static func openDescriptors(below limit: Int) -> Int {
        #if os(Linux)
        if let listed = listedDescriptors() { return listed }
        #endif
        return probedDescriptors(below: limit)
    }

    /// The number of descriptors below `limit` that `fcntl` finds open.
    static func probedDescriptors(below limit: Int) -> Int {
        var open = 0
        for fd in 0..<CInt(min(limit, 65_536)) where fcntl(fd, F_GETFD) != -1 {
            open += 1
        }
        return open
    }

    #if os(Linux)
    /// The entries of `/proc/self/fd`, less the one the listing itself opens; nil without `/proc`.
    static func listedDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return max(0, count - 1)
    }
    #endif

    #if canImport(Glibc)
    private static let resourceLimitNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceLimitNoFile = RLIMIT_NOFILE
    #endif
}
