import JSONRPC
import NIOConcurrencyHelpers
import NIOCore

/// One `input_required` answer of a 2026-07-28 upstream, bridged for a handshake-era client:
/// the client gets each input request as an ordinary server-to-client request (sampling,
/// elicitation, roots) during its call, and once it answered them all the proxy sends the call
/// again upstream, with a new id, the answers as `inputResponses` and the upstream's
/// `requestState` unchanged.
final class InputBridge: Sendable {
    let upstream: UpstreamConnection
    let request: ForwardedRequest
    /// The call as last sent upstream (the retry is made from it).
    let sent: JSONRPCMessage
    /// The upstream's `requestState` token, quotes included.
    let requestState: [UInt8]?
    private let answers: NIOLockedValueBox<(remaining: Set<String>, given: [(key: String, value: [UInt8])], done: Bool)>

    init(upstream: UpstreamConnection, request: ForwardedRequest, sent: JSONRPCMessage, requestState: [UInt8]?, keys: [String]) {
        self.upstream = upstream
        self.request = request
        self.sent = sent
        self.requestState = requestState
        self.answers = NIOLockedValueBox((Set(keys), [], false))
    }

    /// Records the answer for `key`; returns every answer once the last one came.
    func record(_ key: String, _ value: [UInt8]) -> [(key: String, value: [UInt8])]? {
        answers.withLockedValue { state in
            guard !state.done, state.remaining.remove(key) != nil else { return nil }
            state.given.append((key, value))
            guard state.remaining.isEmpty else { return nil }
            state.done = true
            return state.given
        }
    }

    /// Marks the bridge finished (failed); true the first time.
    func finish() -> Bool {
        answers.withLockedValue { state in
            defer { state.done = true }
            return !state.done
        }
    }
}

extension ProxySession {
    /// The client capabilities a 2026-07-28 upstream is told about for this handshake-era
    /// client: those the proxy can bridge (sampling, elicitation, roots), as JSON.
    var bridgeableCapabilities: [UInt8] {
        let raw = state.withLockedValue { $0.clientCapabilities.raw }
        var kept: [String: JSONValue] = [:]
        for key in ["sampling", "elicitation", "roots"] { if let value = raw[key] { kept[key] = value } }
        return JSONValue.object(kept).encoded
    }

    /// Takes an `input_required` answer for a handshake-era client's call: asks the client, then
    /// sends the call again. False when `message` is not one (the caller relays it).
    func bridgeInputRequired(_ upstream: UpstreamConnection, request: ForwardedRequest, message: JSONRPCMessage, sent: ByteBuffer) -> Bool {
        guard !request.reply.isModern, InputRequiredResult.isInputRequired(message), let result = InputRequiredResult.read(message),
              case .single(let sentMessage)? = try? scanner.scan(sent) else { return false }
        let missing = result.missingCapabilities(declared: clientCapabilities)
        guard missing.isEmpty else {
            failBridge(request, code: .invalidRequest, message: "Upstream '\(upstream.name)' needs the client to answer \(missing.map(\.displayName).joined(separator: ", ")), which this client did not declare")
            return true
        }
        let bridge = InputBridge(upstream: upstream, request: request, sent: sentMessage,
                                 requestState: result.requestStateToken(in: message), keys: result.requests.map(\.key))
        guard !result.requests.isEmpty else {
            // Only state: the spec lets the client send the call again at once.
            runTask {
                try? await Task.sleep(for: .milliseconds(50))
                self.resend(bridge, answers: [])
            }
            return true
        }
        for entry in result.requests {
            let proxyID = state.withLockedValue { state -> Int64 in
                let id = state.nextServerRequestID
                state.nextServerRequestID += 1
                state.bridges[id] = (bridge, entry.key)
                return id
            }
            guard let bytes = InputRequestBridge.request(for: entry, in: message, idBytes: JSONRPCID.number(proxyID).jsonBytes),
                  sendOrHoldForClient(bytes, relatedTo: request.clientID) else {
                state.withLockedValue { _ = $0.bridges.removeValue(forKey: proxyID) }
                if bridge.finish() {
                    failBridge(request, code: .internalError, message: "Upstream '\(upstream.name)' asked for input the proxy could not pass to the client (\(entry.method ?? "unknown method"))")
                }
                return true
            }
        }
        return true
    }

    /// The client answered a request made for a bridge: true when it was one.
    func takeBridgedAnswer(_ message: JSONRPCMessage) -> Bool {
        guard case .number(let proxyID)? = message.envelope.id,
              let (bridge, key) = state.withLockedValue({ $0.bridges.removeValue(forKey: proxyID) }) else { return false }
        guard message.envelope.kind == .successResponse, let value = InputRequestBridge.inputResponse(from: message) else {
            if bridge.finish() {
                let text = message.envelope.errorRange.flatMap { JSONView(message: message, range: $0)["message"]?.string } ?? "an error"
                failBridge(bridge.request, code: .internalError, message: "The client answered the input request '\(key)' of upstream '\(bridge.upstream.name)' with \(text)")
            }
            return true
        }
        if let answers = bridge.record(key, value) { resend(bridge, answers: answers) }
        return true
    }

    /// Sends the call again upstream with the client's answers and the upstream's state.
    private func resend(_ bridge: InputBridge, answers: [(key: String, value: [UInt8])]) {
        let request = bridge.request
        guard let newID = bridge.upstream.reserveID() else {
            failBridge(request, code: .connectionClosed, message: "Upstream '\(bridge.upstream.name)' stopped before the call could continue")
            return
        }
        let retry = InputRequiredRetry.retry(
            of: bridge.sent, newID: JSONRPCID.number(newID).jsonBytes,
            inputResponses: answers.isEmpty ? nil : InputRequiredRetry.inputResponses(answers), requestState: bridge.requestState)
        state.withLockedValue { $0.inflight[request.clientID] = (bridge.upstream, newID) }
        if !bridge.upstream.forward(retry, id: newID, request: request) {
            state.withLockedValue { _ = $0.inflight.removeValue(forKey: request.clientID) }
            failBridge(request, code: .connectionClosed, message: "Upstream '\(bridge.upstream.name)' stopped before the call could continue")
        }
    }

    private func failBridge(_ request: ForwardedRequest, code: JSONRPCErrorCode, message: String) {
        complete(request, outcome: .error(code: code.rawValue), now: MonotonicClock.now())
        replyError(request.reply, id: request.clientIDBytes, code: code, message: message)
    }
}
