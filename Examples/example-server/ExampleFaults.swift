import Foundation
import JSONRPC
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fault injection, as asked for on the command line (see main.swift). Everything here is off
/// unless a flag turns it on: without flags the server lists and does exactly what it always did.
struct FaultOptions: Sendable {
    /// `--faults`: list and serve the fault tools (hang, freeze, garbage, huge_line, drip,
    /// http_status, reset, expire_session, whoami, touch); with `--http`, also the TCP relay
    /// that makes `reset` possible.
    var enabled = false
    /// `--hang-after N`: after N inbound messages (counted over the whole process), answer nothing.
    var hangAfter: Int?
    /// `--count-initialize FILE`: one line appended to FILE per `initialize` received.
    var countInitializeFile: String?
    /// `--count-requests FILE`: one line appended to FILE per request received (any method).
    var countRequestsFile: String?
    /// `--mutable-descriptions FILE`: description overrides in FILE, and the tool
    /// `mutate_description` that writes them (ExampleMutations.swift).
    var descriptionsFile: String?
    /// Set by the network mode: this server is one session of `--http`.
    var network = false

    /// Whether inbound messages must be counted and outbound ones may be dropped.
    var mayFreeze: Bool { enabled || hangAfter != nil }
}

/// Fault state shared by every session of the process (`--http` runs many in one process).
enum FaultState {
    private static let messages = NIOLockedValueBox(0)
    private static let frozenFlag = NIOLockedValueBox(false)
    private static let sessionCount = NIOLockedValueBox(0)

    /// Counts one inbound message; false when the process stopped answering (frozen, or past
    /// `--hang-after`).
    static func admit(hangAfter: Int?) -> Bool {
        let count = messages.withLockedValue { count -> Int in
            count += 1
            return count
        }
        if let hangAfter, count > hangAfter { freeze() }
        return !isFrozen
    }

    static var isFrozen: Bool { frozenFlag.withLockedValue { $0 } }

    static func freeze() {
        let first = frozenFlag.withLockedValue { frozen -> Bool in
            defer { frozen = true }
            return !frozen
        }
        if first { FileHandle.standardError.write(Data("example-server: frozen, answering nothing from now on\n".utf8)) }
    }

    /// A number for a new session of this process: 1, 2, ...
    static func nextSession() -> Int {
        sessionCount.withLockedValue { count -> Int in
            count += 1
            return count
        }
    }

    /// Appends `line` to `path` (O_APPEND: lines from several processes never interleave).
    static func append(_ line: String, to path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            FileHandle.standardError.write(Data("example-server: cannot open \(path): \(String(cString: strerror(errno)))\n".utf8))
            return
        }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

/// How a fault tool answers (or does not).
enum FaultReply {
    /// An ordinary tool result.
    case result(JSONValue)
    /// A JSON-RPC error.
    case error(ToolError)
    /// A complete message, written as it is (one line).
    case message(ByteBuffer)
    /// A complete message written a few bytes at a time over `seconds` (stdio); over `--http`
    /// the answer is only late.
    case drip(ByteBuffer, seconds: Double, chunk: Int)
    /// Over `--http`, this HTTP status for the POST (with the error as its body); over stdio the error.
    case httpStatus(Int, ToolError)
    /// The result, then the session is forgotten (`--http`); over stdio an error.
    case resultThenExpire(JSONValue)
    /// No answer at all.
    case silence
}

extension ExampleServer {
    static let faultToolNames: Set<String> = [
        "hang", "freeze", "garbage", "huge_line", "drip", "http_status", "reset", "expire_session", "whoami", "touch", "meta",
    ]

    func faultToolDefinitions() -> [JSONValue] {
        func tool(_ name: String, _ description: String, _ properties: [String: JSONValue] = [:]) -> JSONValue {
            .object([
                "name": .string(name),
                "description": .string(description),
                "inputSchema": .object(["type": .string("object"), "properties": .object(properties)]),
            ])
        }
        let integer: JSONValue = .object(["type": .string("integer")])
        let number: JSONValue = .object(["type": .string("number")])
        let boolean: JSONValue = .object(["type": .string("boolean")])
        let string: JSONValue = .object(["type": .string("string")])
        return [
            tool("hang", "Never answers (pings and other calls still are); cancellable"),
            tool("freeze", "Stops answering anything, this call included, for the rest of the process (like --hang-after)"),
            tool("garbage", "Writes a line of non-JSON bytes, then answers 'garbage sent' (answer=false: no answer)",
                 ["bytes": integer, "answer": boolean]),
            tool("huge_line", "Answers with one line of about `bytes` bytes (default 10 MiB)", ["bytes": integer]),
            tool("drip", "Writes its answer a few bytes at a time over `seconds` (default 2; over --http: answers late)",
                 ["seconds": number, "chunk": integer]),
            tool("http_status", "Over --http: the POST gets this HTTP status (default 500) and a JSON-RPC error body; over stdio: the error",
                 ["status": integer]),
            tool("reset", "Over --http --faults: the TCP connection carrying this call is reset (RST), no answer"),
            tool("expire_session", "Over --http: answers, then forgets the session (the next request gets 404)"),
            tool("whoami", "Answers {\"name\", \"pid\", \"session\"}: the process and the session that served the call"),
            tool("touch", "Sends notifications/resources/updated for `uri` when this session subscribed to it", ["uri": string]),
            tool("meta", "Answers the params._meta it received, as JSON text (trace propagation tests)"),
        ]
    }

    /// The reply of a fault tool, or nil when `params` names no fault tool (or faults are off).
    func faultReply(_ params: JSONValue, id: [UInt8]) async -> FaultReply? {
        guard faults.enabled, let toolName = params["name"]?.stringValue, Self.faultToolNames.contains(toolName) else { return nil }
        let arguments = params["arguments"] ?? .object([:])
        switch toolName {
        case "hang":
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3600))
            }
            return .silence
        case "freeze":
            FaultState.freeze()
            return .silence
        case "garbage":
            let count = max(1, min(Int(arguments["bytes"]?.number ?? 64), 1 << 20))
            let pattern = Array("this is not JSON {[\"".utf8) + [0x00, 0x01, 0x7F, 0xC3, 0x28, 0xFE, 0xFF] + Array("]}} ".utf8)
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            for index in 0..<count { buffer.writeInteger(pattern[index % pattern.count]) }
            transport.send(buffer)
            return arguments["answer"] == .bool(false) ? .silence : .result(Self.text("garbage sent"))
        case "huge_line":
            let count = max(0, min(Int(arguments["bytes"]?.number ?? Double(10 << 20)), 64 << 20))
            var buffer = ByteBufferAllocator().buffer(capacity: count + 128)
            buffer.writeString("{\"jsonrpc\":\"2.0\",\"id\":")
            buffer.writeBytes(id)
            buffer.writeString(",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"")
            buffer.writeRepeatingByte(UInt8(ascii: "x"), count: count)
            buffer.writeString("\"}]}}")
            return .message(buffer)
        case "drip":
            let seconds = max(0, min(arguments["seconds"]?.number ?? 2, 60))
            let chunk = max(1, Int(arguments["chunk"]?.number ?? 8))
            let message = JSONRPCEncoder.result(idBytes: id, result: Self.text("dripped over \(seconds)s").encoded)
            return .drip(message, seconds: seconds, chunk: chunk)
        case "http_status":
            let status = Int(arguments["status"]?.number ?? 500)
            return .httpStatus(status, ToolError(code: .internalError, message: "HTTP \(status) on purpose"))
        case "reset":
            return .error(ToolError(code: .internalError, message: "reset needs example-server --http with --faults (a relay resets the connection before the call arrives)"))
        case "expire_session":
            return .resultThenExpire(Self.text("session \(sessionNumber) expired"))
        case "whoami":
            let who: JSONValue = .object(["name": .string(name), "pid": .int(Int64(getpid())), "session": .int(Int64(sessionNumber))])
            return .result(Self.text(String(decoding: who.encoded, as: UTF8.self)))
        case "meta":
            return .result(Self.text(String(decoding: (params["_meta"] ?? .object([:])).encoded, as: UTF8.self)))
        case "touch":
            let uri = arguments["uri"]?.stringValue ?? "example://counter"
            let subscribed = state.withLockedValue { $0.subscriptions.contains(uri) }
            if subscribed {
                notify("notifications/resources/updated", .object(["uri": .string(uri)]))
            }
            return .result(Self.text(subscribed ? "touched \(uri)" : "not subscribed to \(uri)"))
        default:
            return nil
        }
    }

    /// Sends a fault tool's reply for request `id`.
    func deliver(_ reply: FaultReply, id: [UInt8]) async {
        switch reply {
        case .result(let value):
            respond(id, value)
        case .error(let error):
            fail(id, error.code, error.message)
        case .message(let buffer):
            send(buffer)
        case .drip(let message, let seconds, let chunk):
            if let stdio = transport as? FaultStdioTransport {
                guard !FaultState.isFrozen else { return }
                stdio.drip(message, seconds: seconds, chunk: chunk)
            } else {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                send(message)
            }
        case .httpStatus(let status, let error):
            guard !FaultState.isFrozen else { return }
            let body = JSONRPCEncoder.errorResponse(idBytes: id, code: error.code, message: error.message)
            let headers = status == 503 ? ["Retry-After": "1"] : [:]
            transport.sendRefusal(body, hint: MCPRefusal.HTTPHint(status: status, headers: headers))
        case .resultThenExpire(let value):
            guard faults.network else {
                fail(id, .internalError, "expire_session works over --http only")
                return
            }
            respond(id, value)
            await transport.close()
        case .silence:
            break
        }
    }
}
