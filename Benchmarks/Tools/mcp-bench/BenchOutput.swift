#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where results go: JSON lines on stdout (for scripts), people's text on stderr. Both are
/// written unbuffered, so lines arrive whole and in order even when the process is killed.
enum BenchOutput {
    /// One line of machine-readable output.
    static func json(_ line: String) {
        emit(line + "\n", to: STDOUT_FILENO)
    }

    /// Text for people.
    static func note(_ text: String) {
        emit(text.hasSuffix("\n") ? text : text + "\n", to: STDERR_FILENO)
    }

    private static func emit(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            guard var pointer = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let written = write(fd, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                pointer += written
                remaining -= written
            }
        }
    }
}
