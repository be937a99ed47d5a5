#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resident memory of a process, from `/proc/PID/status` (Linux).
struct ProcessMemory: Sendable {
    /// Current resident set, KiB.
    let rssKB: Int
    /// Peak resident set (VmHWM), KiB.
    let peakKB: Int
    /// The anonymous (private heap and stack) part of the resident set (RssAnon), KiB; the rest
    /// is mapped files such as shared libraries, which other processes share.
    let anonKB: Int

    /// Nil when the process is gone or the platform has no /proc.
    static func read(pid: Int32) -> ProcessMemory? {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var rss: Int?
        var peak: Int?
        var anon = 0
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmRSS:") { rss = kilobytes(text) }
            if text.hasPrefix("VmHWM:") { peak = kilobytes(text) }
            if text.hasPrefix("RssAnon:") { anon = kilobytes(text) ?? 0 }
        }
        guard let rss, let peak else { return nil }
        return ProcessMemory(rssKB: rss, peakKB: peak, anonKB: anon)
    }

    private static func kilobytes(_ line: String) -> Int? {
        Int(line.split { $0 == " " || $0 == "\t" }.dropFirst().first ?? "")
    }
}
