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

    /// Writes `line` and a line break; a failed write drops the line.
    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
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
