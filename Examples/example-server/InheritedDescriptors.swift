import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The descriptors this process holds at startup, before it opens any of its own: what it
/// inherited from whoever spawned it. Tests use it to check the proxy hands its upstreams only
/// fds 0, 1 and 2 (`--report-inherited-fds DIR`).
enum InheritedDescriptors {
    /// `fd -> target` lines, read from /proc/self/fd (Linux); the directory's own fd is left out.
    static func list() -> [String] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var lines: [(Int32, String)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != own else { continue }
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")) ?? "?"
            lines.append((fd, "\(fd) -> \(target)"))
        }
        return lines.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Writes the list to `directory/fds-<pid>.txt`.
    static func report(to directory: String) {
        let text = list().joined(separator: "\n") + "\n"
        // A test reads the file; if it cannot be written, that test fails and says so.
        _ = FileManager.default.createFile(atPath: "\(directory)/fds-\(getpid()).txt", contents: Data(text.utf8))
    }
}
