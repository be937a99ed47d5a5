import JSONRPC
import NIOCore

/// What the fast upstream does with one incoming message.
enum EchoReply {
    /// A response was written to the output buffer.
    case response
    /// The response to `initialize` was written (HTTP adds a session id to it).
    case initializeResponse
    /// Nothing to answer (a notification or a response of the client's).
    case none
}

/// Answers MCP messages at once: `initialize`, `ping`, `tools/list` (one tool, `echo`) and
/// `tools/call` of `echo`, which returns its arguments as text. Everything else gets -32601.
///
/// Responses are written straight into a caller-owned buffer, so a line costs one scan and no
/// allocation beyond the echoed text.
struct EchoResponder: Sendable {
    /// The protocol version answered when the client's is not one this server knows.
    static let defaultVersion = "2025-11-25"
    static let knownVersions: Set<String> = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]

    let scanner = JSONRPCScanner()

    /// Scans `frame` and writes the answer (no framing) to `output`.
    func reply(to frame: ByteBuffer, into output: inout ByteBuffer) -> EchoReply {
        let message: JSONRPCMessage
        do {
            message = try scanner.scanMessage(frame)
        } catch {
            output.writeImmutableBuffer(JSONRPCEncoder.errorResponse(for: error))
            return .response
        }
        let envelope = message.envelope
        guard envelope.kind == .request, let idRange = envelope.idRange, let method = envelope.method else {
            return .none
        }
        let id = message.slice(idRange)
        switch method {
        case .initialize:
            writeResult(id: id, into: &output) { out in
                out.writeStaticString(#"{"protocolVersion":"#)
                JSONString.write(Self.negotiatedVersion(message), to: &out)
                out.writeStaticString(#","capabilities":{"tools":{"listChanged":false}},"serverInfo":{"name":"fast-upstream","version":"1.0.0"}}"#)
            }
            return .initializeResponse
        case .ping:
            writeResult(id: id, into: &output) { $0.writeStaticString("{}") }
        case .toolsList:
            writeResult(id: id, into: &output) {
                $0.writeStaticString(#"{"tools":[{"name":"echo","description":"Returns its arguments as text","inputSchema":{"type":"object","properties":{"text":{"type":"string"}}}}]}"#)
            }
        case .toolsCall:
            guard envelope.name == "echo" else {
                writeError(id: id, code: -32602, message: "Unknown tool: only 'echo' exists", into: &output)
                return .response
            }
            let arguments = Self.arguments(of: message)
            writeResult(id: id, into: &output) { out in
                out.writeStaticString(#"{"content":[{"type":"text","text":"#)
                JSONString.write(arguments, to: &out)
                out.writeStaticString(#"}],"isError":false}"#)
            }
        default:
            writeError(id: id, code: -32601, message: "Method not found", into: &output)
        }
        return .response
    }

    private func writeResult(id: ByteBuffer, into output: inout ByteBuffer, _ result: (inout ByteBuffer) -> Void) {
        output.writeStaticString(#"{"jsonrpc":"2.0","id":"#)
        output.writeImmutableBuffer(id)
        output.writeStaticString(#","result":"#)
        result(&output)
        output.writeInteger(UInt8(ascii: "}"))
    }

    private func writeError(id: ByteBuffer, code: Int, message: String, into output: inout ByteBuffer) {
        output.writeStaticString(#"{"jsonrpc":"2.0","id":"#)
        output.writeImmutableBuffer(id)
        output.writeString(#","error":{"code":\#(code),"message":"#)
        JSONString.write(message, to: &output)
        output.writeStaticString("}}")
    }

    /// The client's version when this server knows it, else the default.
    static func negotiatedVersion(_ message: JSONRPCMessage) -> String {
        guard let params = message.envelope.paramsRange,
              let requested = JSONView(message: message, range: params)["protocolVersion"]?.string,
              knownVersions.contains(requested)
        else { return defaultVersion }
        return requested
    }

    /// `params.arguments` as raw JSON text, or `{}`.
    static func arguments(of message: JSONRPCMessage) -> String {
        guard let params = message.envelope.paramsRange,
              let arguments = JSONView(message: message, range: params)["arguments"]
        else { return "{}" }
        return String(decoding: arguments.rawBytes, as: UTF8.self)
    }
}
