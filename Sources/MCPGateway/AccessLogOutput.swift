#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Where the access log's own handler writes: stderr, or a file opened for appending. Each line
/// is one `write(2)` of the line and its line break, so lines from several writers (the
/// proxy's other logs on stderr, an older configuration's log after a reload) never interleave
/// within a line.
final class AccessLogOutput: Sendable {
    private let descriptor: Int32
    private let owned: Bool

    static let standardError = AccessLogOutput(descriptor: 2, owned: false)

    private init(descriptor: Int32, owned: Bool) {
        self.descriptor = descriptor
        self.owned = owned
    }

    /// Opens `path` for appending, creating it (mode 0640) when missing.
    convenience init(appendingTo path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw AccessLogError(description: "proxy.accessLog.destination: cannot open '\(path)' for appending: \(reason)")
        }
        self.init(descriptor: descriptor, owned: true)
    }

    deinit {
        if owned { close(descriptor) }
    }

    /// Writes `text` (one line or several) and a line break, in `write(2)` calls of at most
    /// `PIPE_BUF` (4096) bytes that end at line breaks, so that a pipe never interleaves another
    /// writer's output inside a line. A failed write drops the rest.
    func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                var end = min(offset + 4096, buffer.count)
                if end < buffer.count {
                    // Back to the last line break in the window (a longer line goes whole).
                    var cut = end
                    while cut > offset, buffer[cut - 1] != 0x0A { cut -= 1 }
                    if cut > offset {
                        end = cut
                    } else {
                        while end < buffer.count, buffer[end - 1] != 0x0A { end += 1 }
                    }
                }
                while offset < end {
                    let written = systemWrite(descriptor, buffer.baseAddress! + offset, end - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

/// A swift-log handler that writes each message alone on its line (the access-log line
/// already carries its time), at every level.
struct AccessLogLineHandler: LogHandler {
    let output: AccessLogOutput
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        output.write(event.message.description)
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
