import JSONRPC
import MCPSecurity
import NIOConcurrencyHelpers
import NIOCore

/// A handshake-era upstream's call held open for a 2026-07-28 client: the upstream asked for
/// input (sampling, elicitation, roots) during the call, the client was answered
/// `input_required`, and the call waits upstream until the client sends it again with the
/// answer (SessionModernBridge.swift). One hold per question.
final class InputHold: Sendable {
    /// What became of the call while it was held.
    enum Outcome: Sendable {
        /// The upstream answered the call (without waiting for the client's input).
        case answered(JSONRPCMessage)
        /// The proxy ended the call (its deadline passed, the upstream failed): the error it
        /// would have sent the client, for the request that was answered `input_required`.
        case reply(ByteBuffer)
    }

    private struct State {
        var outcome: Outcome?
        var waiter: (@Sendable (Outcome) -> Void)?
        /// Further questions of the upstream while the client has not come back yet.
        var queued: [JSONRPCMessage] = []
        var ended = false
    }

    /// Random; what the sealed `requestState` carries.
    let id: [UInt8]
    let upstream: UpstreamConnection
    /// The upstream id of the held call.
    let callID: Int64
    /// The call as it was forwarded (its lease, target, method).
    let call: ForwardedRequest
    /// The upstream's question: its id, and the key it has in `inputRequests`.
    let questionID: [UInt8]
    let key: String
    /// Whose call it is: only the same principal may continue it.
    let principalKey: String
    /// Monotonic nanoseconds after which an unclaimed hold is dropped.
    let expiresAt: UInt64
    private let state = NIOLockedValueBox(State())

    init(upstream: UpstreamConnection, callID: Int64, call: ForwardedRequest, questionID: [UInt8], key: String,
         principalKey: String, expiresAt: UInt64) {
        var generator = SystemRandomNumberGenerator()
        self.id = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.upstream = upstream
        self.callID = callID
        self.call = call
        self.questionID = questionID
        self.key = key
        self.principalKey = principalKey
        self.expiresAt = expiresAt
    }

    /// Records what became of the call; a waiting retry gets it at once.
    func settle(_ outcome: Outcome) {
        let waiter = state.withLockedValue { state -> (@Sendable (Outcome) -> Void)? in
            guard state.outcome == nil else { return nil }
            guard let waiter = state.waiter else {
                state.outcome = outcome
                return nil
            }
            state.waiter = nil
            state.outcome = outcome
            return waiter
        }
        waiter?(outcome)
    }

    /// Calls `body` with the outcome, now or when it comes.
    func whenSettled(_ body: @escaping @Sendable (Outcome) -> Void) {
        let outcome = state.withLockedValue { state -> Outcome? in
            if let outcome = state.outcome { return outcome }
            state.waiter = body
            return nil
        }
        if let outcome { body(outcome) }
    }

    /// Keeps another question of the upstream for the client's next request.
    func enqueue(_ question: JSONRPCMessage) {
        state.withLockedValue { $0.queued.append(question) }
    }

    /// The questions kept so far, once.
    func takeQueued() -> [JSONRPCMessage] {
        state.withLockedValue { state in
            defer { state.queued.removeAll() }
            return state.queued
        }
    }

    /// True the first time: the hold is over (claimed by a retry, or expired).
    func end() -> Bool {
        state.withLockedValue { state in
            defer { state.ended = true }
            return !state.ended
        }
    }
}

/// The holds of every client session of a proxy: a retry may come on another session than the
/// request that was answered `input_required` (on Streamable HTTP, another connection), so they
/// are kept here, by id, until claimed or expired. `seal` protects the `requestState` that
/// names them.
final class InputHolds: Sendable {
    /// Seals the `requestState` of held calls (a key of this process only).
    let seal = RequestStateSeal()
    private let holds = NIOLockedValueBox<[[UInt8]: InputHold]>([:])

    /// The number of holds waiting for their client.
    var count: Int { holds.withLockedValue { $0.count } }

    /// Keeps `hold` until ``claim(_:)`` or ``expire(_:)``.
    func add(_ hold: InputHold) {
        holds.withLockedValue { $0[hold.id] = hold }
    }

    /// Takes the hold with this id, once.
    func claim(_ id: [UInt8]) -> InputHold? {
        holds.withLockedValue { $0.removeValue(forKey: id) }
    }

    /// Forgets `hold` if no retry claimed it; true when it was still waiting.
    func expire(_ hold: InputHold) -> Bool {
        holds.withLockedValue { $0.removeValue(forKey: hold.id) } != nil
    }
}
