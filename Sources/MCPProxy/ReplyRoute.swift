import JSONRPC
import NIOConcurrencyHelpers
import NIOCore

/// Where the response to one client request goes.
enum ReplyRoute: Sendable {
    /// Straight to the client.
    case direct
    /// Straight to a 2026-07-28 client, shaped for that era (``ProxySession/sendModern(_:method:)``),
    /// with what the request's envelope lets the proxy ask the client during it, and the least
    /// severe log message it wants during it (`_meta["io.modelcontextprotocol/logLevel"]`; nil:
    /// none at all).
    case modern(MCPMethod, ModernClientAbilities, LogSeverity?)
    /// Nowhere yet: the client was answered `input_required` and the call waits upstream for its
    /// retry (SessionModernBridge.swift); what comes for it is kept in the hold.
    case held(InputHold)
    /// Into a batch that is sent as one array once every request in it is answered.
    case batch(BatchCollector)

    /// True for an answer to a 2026-07-28 request (also one held for its retry).
    var isModern: Bool {
        switch self {
        case .modern, .held: return true
        case .direct, .batch: return false
        }
    }

    /// True for a single answer sent on its own (not part of a batch).
    var isDirect: Bool {
        if case .batch = self { return false }
        return true
    }
}

/// Gathers the responses to a JSON-RPC batch (2025-03-26) and releases them as one array.
final class BatchCollector: Sendable {
    private let state: NIOLockedValueBox<(remaining: Int, responses: [ByteBuffer])>

    /// `expected` is the number of responses the batch will produce.
    init(expected: Int) {
        state = NIOLockedValueBox((expected, []))
    }

    /// Adds a response; returns the whole batch array when it was the last one.
    func add(_ response: ByteBuffer) -> ByteBuffer? {
        state.withLockedValue { state -> ByteBuffer? in
            state.responses.append(response)
            state.remaining -= 1
            return state.remaining == 0 ? Self.join(state.responses) : nil
        }
    }

    /// A request of the batch will get no response (it was cancelled).
    func skip() -> ByteBuffer? {
        state.withLockedValue { state -> ByteBuffer? in
            state.remaining -= 1
            guard state.remaining == 0, !state.responses.isEmpty else { return nil }
            return Self.join(state.responses)
        }
    }

    private static func join(_ parts: [ByteBuffer]) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: parts.reduce(2) { $0 + $1.readableBytes + 1 })
        out.writeInteger(UInt8(ascii: "["))
        for (index, part) in parts.enumerated() {
            if index > 0 { out.writeInteger(UInt8(ascii: ",")) }
            out.writeImmutableBuffer(part)
        }
        out.writeInteger(UInt8(ascii: "]"))
        return out
    }
}
