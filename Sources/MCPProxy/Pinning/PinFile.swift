import Foundation
import JSONRPC
import MCPSecurity

/// The pin file: for each server and tool, the approved fingerprint and the definition it was
/// computed from (so a change can be shown as a diff).
///
/// ```json
/// {
///   "servers": {
///     "tickets": {
///       "create_ticket": {
///         "approvedAt": "2026-12-06T09:00:00Z",
///         "definition": { "description": "...", "inputSchema": { ... }, "name": "create_ticket" },
///         "fingerprint": "sha256:..."
///       }
///     }
///   },
///   "version": 1
/// }
/// ```
///
/// The proxy writes it atomically (a temporary file in the same directory, then a rename), so a
/// reader never sees half a file.
public struct PinFile: Sendable, Equatable {
    /// One approved tool.
    public struct Pin: Sendable, Equatable {
        /// The approved fingerprint.
        public var fingerprint: ToolFingerprint
        /// The approved definition in canonical form (``ToolFingerprint/canonicalDefinition(_:)``).
        public var definition: JSONValue
        /// When it was approved (ISO 8601, UTC).
        public var approvedAt: String

        /// Creates a pin.
        public init(fingerprint: ToolFingerprint, definition: JSONValue, approvedAt: String) {
            self.fingerprint = fingerprint
            self.definition = definition
            self.approvedAt = approvedAt
        }

        /// A pin of `definition` as listed now, approved now.
        public init(approving definition: JSONValue, at date: Date = Date()) {
            self.init(fingerprint: ToolFingerprint(definition: definition),
                      definition: ToolFingerprint.canonicalDefinition(definition),
                      approvedAt: PinFile.timestamp(date))
        }
    }

    /// Server name -> tool name (as the server lists it) -> pin.
    public var servers: [String: [String: Pin]]

    /// An empty file.
    public init(servers: [String: [String: Pin]] = [:]) {
        self.servers = servers
    }

    /// The pin of one tool.
    public func pin(server: String, tool: String) -> Pin? {
        servers[server]?[tool]
    }

    // MARK: Reading and writing

    /// Reads the file at `path`; a file that does not exist yet is an empty one.
    public static func load(path: String) throws(PinFileError) -> PinFile {
        guard FileManager.default.fileExists(atPath: path) else { return PinFile() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PinFileError(path: path, "cannot read it (\(error.localizedDescription)); check its permissions")
        }
        return try parse(Array(data), path: path)
    }

    /// Parses the file's bytes; `path` only names it in errors.
    public static func parse(_ bytes: [UInt8], path: String) throws(PinFileError) -> PinFile {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return PinFile() }
        let root: JSONValue
        do {
            root = try JSONValue(parsing: bytes, limits: ScanLimits(maxMessageBytes: max(bytes.count, 1), maxDepth: 128))
        } catch {
            throw PinFileError(path: path, "it is not valid JSON (\(error)); fix it, or delete it and run `mcp-proxy pins approve` to write it again")
        }
        guard case .object(let top) = root, case .object(let servers)? = top["servers"] else {
            throw PinFileError(path: path, "expected an object with a \"servers\" object; fix it, or delete it and run `mcp-proxy pins approve`")
        }
        var file = PinFile()
        for (server, toolsValue) in servers {
            guard case .object(let tools) = toolsValue else {
                throw PinFileError(path: path, "servers.\(server) must be an object of tools")
            }
            for (tool, pinValue) in tools {
                guard case .object(let pin) = pinValue,
                      let text = pin["fingerprint"]?.stringValue, let fingerprint = ToolFingerprint(text) else {
                    throw PinFileError(path: path, "servers.\(server).\(tool) needs a \"fingerprint\" of the form sha256:<64 hex digits>")
                }
                file.servers[server, default: [:]][tool] = Pin(
                    fingerprint: fingerprint, definition: pin["definition"] ?? .null, approvedAt: pin["approvedAt"]?.stringValue ?? "")
            }
        }
        return file
    }

    /// The file's JSON: keys sorted, indented, ending with a newline.
    public func rendered() -> [UInt8] {
        var servers: [String: JSONValue] = [:]
        for (server, tools) in self.servers {
            var pins: [String: JSONValue] = [:]
            for (tool, pin) in tools {
                pins[tool] = .object([
                    "fingerprint": .string(pin.fingerprint.value),
                    "definition": pin.definition,
                    "approvedAt": .string(pin.approvedAt),
                ])
            }
            servers[server] = .object(pins)
        }
        var bytes: [UInt8] = []
        PrettyJSON.append(.object(["version": .int(1), "servers": .object(servers)]), indent: 0, to: &bytes)
        bytes.append(0x0A)
        return bytes
    }

    /// Writes the file atomically: a temporary file next to it, flushed to disk, then renamed
    /// over it.
    public func save(path: String) throws(PinFileError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let bytes = rendered()
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw PinFileError(path: path, "cannot create a temporary file in \(directory) (\(String(cString: strerror(errno)))); the directory must exist and be writable")
        }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw -> String? in
            while written < raw.count {
                let count = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += count
            }
            return fsync(descriptor) == 0 ? nil : String(cString: strerror(errno))
        }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw PinFileError(path: path, "cannot write it (\(failure))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PinFileError(path: path, "cannot replace it (\(reason))")
        }
    }

    /// `date` as ISO 8601 in UTC, to the second (for ``Pin/approvedAt``).
    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// The pin file could not be read, parsed or written.
public struct PinFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// "pin file PATH: MESSAGE".
    public var description: String { "pin file \(path): \(message)" }
}
