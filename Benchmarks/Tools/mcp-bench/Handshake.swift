import JSONRPC
import NIOCore

/// What the handshake learned about the target.
struct HandshakeResult: Sendable {
    /// The tool the load calls.
    let tool: String
    /// The protocol version the target answered with.
    let protocolVersion: String
    /// `serverInfo.name`.
    let serverName: String
}

/// The client side of the MCP handshake: `initialize`, `notifications/initialized`, and
/// (when a tool must be chosen) `tools/list`.
enum Handshake {
    /// Performs the handshake. With `listTools`, picks the tool to call: `tool` if given (it must be
    /// listed), else `echo` or the first tool whose name ends in `echo`, else the first tool.
    static func perform(
        on connection: any RPCConnection, ids: IDSource, protocolVersion: String, tool: String?, listTools: Bool = true
    ) async throws(BenchError) -> HandshakeResult {
        let initializeID = ids.next()
        let initialize = try result(
            of: await connection.call(HandshakeMessages.initialize(id: initializeID, protocolVersion: protocolVersion), id: initializeID),
            what: "initialize")
        guard let version = initialize["protocolVersion"]?.string else {
            throw BenchError("the target's initialize result has no protocolVersion; is it an MCP server?")
        }
        let serverName = initialize["serverInfo"]?["name"]?.string ?? "?"
        if let http = connection as? HTTPConnection {
            do {
                try await http.eventLoop.submit { http.protocolVersion = version }.get()
            } catch {
                throw BenchError("the event loop stopped during the handshake")
            }
        }
        if case .failure(let reason) = await connection.call(HandshakeMessages.initialized, id: nil) {
            throw BenchError("notifications/initialized failed: \(reason)")
        }
        guard listTools else {
            return HandshakeResult(tool: tool ?? "", protocolVersion: version, serverName: serverName)
        }
        let listID = ids.next()
        let list = try result(of: await connection.call(HandshakeMessages.toolsList(id: listID), id: listID), what: "tools/list")
        let names = (list["tools"]?.elements ?? []).compactMap { $0["name"]?.string }
        let chosen: String?
        if let tool {
            chosen = names.contains(tool) ? tool : nil
            if chosen == nil {
                throw BenchError("the target has no tool '\(tool)'; it lists: \(names.prefix(20).joined(separator: ", "))")
            }
        } else {
            chosen = names.first { $0 == "echo" } ?? names.first { $0.hasSuffix("echo") } ?? names.first
        }
        guard let chosen else {
            throw BenchError("the target lists no tools; tools/call needs one (the fast upstream offers 'echo')")
        }
        return HandshakeResult(tool: chosen, protocolVersion: version, serverName: serverName)
    }

    /// The `result` of a response, or an error that says what failed.
    private static func result(of outcome: RPCOutcome, what: String) throws(BenchError) -> JSONView {
        switch outcome {
        case .response(let message):
            if message.envelope.kind == .errorResponse {
                throw BenchError("\(what) failed: \(String(buffer: message.bytes))")
            }
            guard let range = message.envelope.resultRange else {
                throw BenchError("\(what): the response has no result")
            }
            return JSONView(message: message, range: range)
        case .accepted:
            throw BenchError("\(what): the target accepted the request without answering it")
        case .failure(let reason):
            throw BenchError("\(what) failed: \(reason)")
        }
    }
}
