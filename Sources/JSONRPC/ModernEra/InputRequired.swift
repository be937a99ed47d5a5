import NIOCore

/// An MRTR interim result (`"resultType":"input_required"`, 2026-07-28) read from a scanned
/// response without decoding it: where `inputRequests` and each request's key and `method` are,
/// and the exact `requestState` token, so the proxy can relay, filter or wrap them by splicing.
public struct InputRequiredResult: Sendable, Equatable {
    /// One entry of `inputRequests`.
    public struct Request: Sendable, Equatable {
        /// The decoded key (unique within the result; echoed in `inputResponses`).
        public var key: String
        /// The key token, quotes included.
        public var keyRange: Range<Int>
        /// The whole `InputRequest` value.
        public var valueRange: Range<Int>
        /// `method` when a string: `elicitation/create`, `sampling/createMessage` or `roots/list`.
        public var method: String?
        /// The `method` string token, quotes included.
        public var methodRange: Range<Int>?
        /// `params`, if present.
        public var paramsRange: Range<Int>?
        /// The capability the client must have declared for it (nil for an unknown method).
        public var requiredCapability: RequiredClientCapability?
    }

    /// The whole `result` object.
    public var resultRange: Range<Int>
    /// The `inputRequests` value, if present.
    public var inputRequestsRange: Range<Int>?
    /// The entries of `inputRequests` in document order (empty if absent or not an object).
    public var requests: [Request]
    /// The `requestState` string token, quotes included, if present.
    public var requestStateRange: Range<Int>?
    /// The decoded `requestState`, if it is a string.
    public var requestState: String?

    /// The cheap test: a success response whose `result.resultType` is `"input_required"`.
    public static func isInputRequired(_ message: JSONRPCMessage) -> Bool {
        guard let resultRange = message.envelope.resultRange else { return false }
        return JSONView(message: message, range: resultRange)["resultType"]?.string == "input_required"
    }

    /// Reads the interim result; nil unless `isInputRequired(message)`.
    public static func read(_ message: JSONRPCMessage) -> InputRequiredResult? {
        guard isInputRequired(message), let resultRange = message.envelope.resultRange,
            let result = ObjectMembers(message, resultRange)
        else { return nil }
        var read = InputRequiredResult(resultRange: resultRange, requests: [])
        if let requests = result.member("inputRequests") {
            read.inputRequestsRange = requests.valueRange
            for entry in ObjectMembers(message, requests.valueRange)?.members ?? [] {
                let value = JSONView(message: message, range: entry.valueRange)
                let method = value["method"]
                let params = value["params"]
                let methodName = method?.string
                read.requests.append(
                    Request(
                        key: entry.key, keyRange: entry.keyRange, valueRange: entry.valueRange, method: methodName,
                        methodRange: method?.kind == .string ? method?.range : nil, paramsRange: params?.range,
                        requiredCapability: methodName.flatMap {
                            RequiredClientCapability.forInputRequest(method: $0, elicitationMode: params?["mode"]?.string)
                        }))
            }
        }
        if let state = result.member("requestState") {
            let view = JSONView(message: message, range: state.valueRange)
            if view.kind == .string {
                read.requestStateRange = state.valueRange
                read.requestState = view.string
            }
        }
        return read
    }

    /// The spec's shape rule: at least one of `inputRequests` or `requestState`.
    public var isWellFormed: Bool {
        inputRequestsRange != nil || requestStateRange != nil
    }

    /// The `requestState` token exactly as sent (to echo byte for byte), or nil.
    public func requestStateToken(in message: JSONRPCMessage) -> [UInt8]? {
        requestStateRange.map(message.rawBytes)
    }

    /// The capabilities the requests need that `declared` lacks (each once, in request order);
    /// a request with an unknown method needs nothing known and is not listed.
    public func missingCapabilities(declared: ClientCapabilities) -> [RequiredClientCapability] {
        var missing: [RequiredClientCapability] = []
        for request in requests {
            guard let needed = request.requiredCapability, !needed.isDeclared(by: declared), !missing.contains(needed)
            else { continue }
            missing.append(needed)
        }
        return missing
    }
}

/// Builds the MRTR retry of a request: a new id, the same method and params, plus
/// `inputResponses` and `requestState` at the start of `params` (where the SDK client puts
/// them). A previous round's `inputResponses`/`requestState` are removed first, so a state that
/// is not given this round is not sent (the client MUST NOT include one it was not given).
public enum InputRequiredRetry {
    /// The splices that turn `request` into its retry. `newID` is the id token (e.g.
    /// `JSONRPCID.jsonBytes`); `inputResponses` an object of raw JSON; `requestState` the raw
    /// token from `InputRequiredResult.requestStateToken(in:)`. Empty if `params` is not an object
    /// or the request has no id.
    public static func splices(
        for request: JSONRPCMessage, newID: [UInt8], inputResponses: [UInt8]?, requestState: [UInt8]?
    ) -> [ByteSplice] {
        guard let idRange = request.envelope.idRange else { return [] }
        var added: [(key: String, value: [UInt8])] = []
        if let inputResponses { added.append((key: "inputResponses", value: inputResponses)) }
        if let requestState { added.append((key: "requestState", value: requestState)) }
        let text = ObjectMembers.membersText(added)
        var edits = [ByteSplice(range: idRange, replacement: newID)]
        guard let paramsRange = request.envelope.paramsRange else {
            guard !added.isEmpty, let close = ModernRequestEnvelope.closingBrace(of: request) else { return edits }
            edits.append(ByteSplice(range: close..<close, replacement: Array(#","params":{"#.utf8) + text + [UInt8(ascii: "}")]))
            return edits
        }
        guard let params = ObjectMembers(request, paramsRange) else { return [] }
        let stale = Set(params.members.indices.filter { ["inputResponses", "requestState"].contains(params.members[$0].key) })
        edits += params.edits(removing: stale, atStart: text)
        return ObjectMembers.ordered(edits)
    }

    /// The retry request (see `splices(for:newID:inputResponses:requestState:)`).
    public static func retry(
        of request: JSONRPCMessage, newID: [UInt8], inputResponses: [UInt8]?, requestState: [UInt8]?
    ) -> ByteBuffer {
        request.splicing(splices(for: request, newID: newID, inputResponses: inputResponses, requestState: requestState))
    }

    /// An `inputResponses` object from keyed raw JSON values, in the given order.
    public static func inputResponses(_ responses: [(key: String, value: [UInt8])]) -> [UInt8] {
        [UInt8(ascii: "{")] + ObjectMembers.membersText(responses) + [UInt8(ascii: "}")]
    }
}
