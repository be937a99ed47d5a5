import JSONRPC
import NIOConcurrencyHelpers

/// One request on its way to a Streamable HTTP server and back: it ends exactly once, either
/// answered (by the server's response on whichever stream it arrives) or failed.
final class RequestExchange: Sendable {
    /// The request id on the wire.
    let id: JSONRPCID
    /// The id token, for error responses.
    let idBytes: [UInt8]
    /// The method, for messages.
    let label: String
    /// An `initialize`: its response carries the session id and the protocol version.
    let isInitialize: Bool
    /// Sent by the transport itself (session renewal); its response is consumed, never delivered.
    let isInternal: Bool
    /// It carries the 2026-07-28 envelope: a 4xx with a JSON-RPC error body is its answer.
    let isModern: Bool
    /// A 2026-07-28 `tools/list`: its result tells which arguments of which tools go into
    /// `Mcp-Param-*` headers.
    let listsTools: Bool

    private enum Outcome {
        case pending
        case answered(JSONRPCMessage)
        case failed(String)
    }

    private let outcome = NIOLockedValueBox(Outcome.pending)

    init(id: JSONRPCID, idBytes: [UInt8], label: String, isInitialize: Bool, isInternal: Bool,
         isModern: Bool = false, listsTools: Bool = false) {
        self.id = id
        self.idBytes = idBytes
        self.label = label
        self.isInitialize = isInitialize
        self.isInternal = isInternal
        self.isModern = isModern
        self.listsTools = listsTools
    }

    /// Records the response; false when the exchange had already ended (a late response).
    func answer(_ message: JSONRPCMessage) -> Bool {
        outcome.withLockedValue { outcome in
            guard case .pending = outcome else { return false }
            outcome = .answered(message)
            return true
        }
    }

    /// Records a failure; false when the exchange had already ended.
    func fail(_ reason: String) -> Bool {
        outcome.withLockedValue { outcome in
            guard case .pending = outcome else { return false }
            outcome = .failed(reason)
            return true
        }
    }

    /// Whether the response arrived.
    var isAnswered: Bool {
        outcome.withLockedValue { outcome in
            if case .answered = outcome { return true }
            return false
        }
    }

    /// The response, once answered.
    var response: JSONRPCMessage? {
        outcome.withLockedValue { outcome in
            if case .answered(let message) = outcome { return message }
            return nil
        }
    }

    /// The failure, once failed.
    var failure: String? {
        outcome.withLockedValue { outcome in
            if case .failed(let reason) = outcome { return reason }
            return nil
        }
    }
}
