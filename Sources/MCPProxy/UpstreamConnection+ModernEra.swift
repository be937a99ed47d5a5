import JSONRPC
import NIOCore

/// Upstreams that speak protocol 2026-07-28: no `initialize`; `server/discover` tells what
/// they offer, and every request carries the per-request envelope in `params._meta`.
extension UpstreamConnection {
    /// What the era probe found.
    enum EraVerdict {
        /// Use `initialize`.
        case handshake
        /// The upstream speaks 2026-07-28; it offers what this result says.
        case modern(InitializeResult)
        /// It cannot be served.
        case failed(UpstreamError)
    }

    /// Asks `server/discover` when the definition says to (``UpstreamEra``), as the spec's
    /// backward-compatibility rules say, over any transport: a discover result naming 2026-07-28
    /// is a modern server; so is -32022 (over HTTP a 400 whose body is that error), which fails
    /// unless it lists a version the proxy speaks; any other answer (over HTTP any other 4xx), or
    /// none within the probe's timeout, is a handshake-era one, which gets `initialize`. Every
    /// (re)start of the connection probes afresh, unless the definition's ``UpstreamEraMemo``
    /// (Streamable HTTP: the era is cached per origin) knows the upstream speaks the handshake era.
    func probeEra(_ handshake: UpstreamHandshake, timeout: Duration) async -> EraVerdict {
        modernEnvelope.withLockedValue { $0 = nil }
        speaksModern.store(false, ordering: .relaxed)
        let probeTimeout: Duration
        switch definition.era {
        case .handshake: return .handshake
        case .modern: probeTimeout = timeout
        case .probe(let limit): probeTimeout = min(limit, timeout)
        }
        if let memo = definition.eraMemo, memo.knowsHandshake(replica: replica) {
            logger.debug("upstream is known to speak the handshake era; no probe")
            return .handshake
        }
        let verdict = await probe(handshake, timeout: probeTimeout)
        if case .handshake = verdict {
            definition.eraMemo?.record(handshake: true, replica: replica)
        } else {
            forgetEraVerdict()
        }
        return verdict
    }

    /// A handshake-era verdict shared with other connections no longer holds (its `initialize`
    /// failed): the next connection probes again.
    func forgetEraVerdict() {
        definition.eraMemo?.record(handshake: false, replica: replica)
    }

    /// The probe itself: `server/discover`, and what its answer means.
    private func probe(_ handshake: UpstreamHandshake, timeout probeTimeout: Duration) async -> EraVerdict {
        let values = Self.envelopeValues(handshake)
        let params = enveloped(values, method: "server/discover", params: nil)
        let forced = definition.era == .modern
        var attempts = 0
        while true {
            attempts += 1
            let answer = await request(method: "server/discover", params: params, timeout: probeTimeout, errorReplies: true)
            guard case .success(let message) = answer else {
                guard case .failure(let error) = answer, forced else { return .handshake }
                return .failed(UpstreamError(error.kind, upstream: name, message: "server/discover failed: \(error.message)"))
            }
            if message.envelope.kind == .errorResponse {
                let refusal = DiscoverRefusal(message)
                guard refusal.code == JSONRPCErrorCode.unsupportedProtocolVersion.rawValue else {
                    if forced {
                        return .failed(UpstreamError(.remote(code: refusal.code), upstream: name, message: "server/discover failed: \(refusal.text)"))
                    }
                    logger.debug("upstream answered server/discover with an error (\(refusal.text)); it gets initialize")
                    return .handshake
                }
                if refusal.supported.contains(ProtocolVersion.v2026_07_28.rawValue), attempts < 2 { continue }
                if !forced, refusal.supported.contains(where: { handshake.supportedVersions.contains(ProtocolVersion(rawValue: $0)) }) {
                    return .handshake
                }
                return .failed(UpstreamError(.protocolViolation, upstream: name, message: "it speaks only protocol versions the proxy does not: \(refusal.text)"))
            }
            guard let range = message.envelope.resultRange,
                  let discover = DiscoverResult(parsing: JSONView(message: message, range: range)),
                  discover.modernVersions.contains(.v2026_07_28) else {
                return forced ? .failed(UpstreamError(.protocolViolation, upstream: name, message: "its server/discover result names no version the proxy speaks (2026-07-28)")) : .handshake
            }
            modernEnvelope.withLockedValue { $0 = values }
            speaksModern.store(true, ordering: .relaxed)
            let result = InitializeResult(
                protocolVersion: ProtocolVersion.v2026_07_28.rawValue, capabilities: discover.capabilities,
                serverInfo: discover.serverInfo ?? Implementation(name: name, version: "?"), instructions: discover.instructions)
            logger.info("upstream speaks 2026-07-28: no initialize, every request carries its envelope")
            return .modern(result)
        }
    }

    /// The envelope of the proxy's own requests: 2026-07-28, the proxy as the client, and no
    /// client capability. Requests from 2026-07-28 clients carry their own envelope, forwarded
    /// as it is; a handshake-era client cannot answer an `input_required` result, so the
    /// upstream is told it may ask nothing (it answers -32021 instead of waiting).
    static func envelopeValues(_ handshake: UpstreamHandshake) -> ModernRequestEnvelope.Values {
        let info = (try? JSONView.parse(ByteBuffer(bytes: handshake.initializeParams)))?["clientInfo"].map { Array($0.rawBytes) }
        return ModernRequestEnvelope.Values(protocolVersion: .v2026_07_28, clientCapabilities: Array("{}".utf8), clientInfo: info)
    }

    /// A request of the proxy's own as this upstream wants it: the envelope in `params._meta`;
    /// `ping`, which 2026-07-28 removed, becomes `server/discover` (the health check's probe).
    func modernized(method: String, params: [UInt8]?) -> (String, [UInt8]?) {
        guard method != "server/discover", let values = modernEnvelope.withLockedValue({ $0 }) else { return (method, params) }
        let method = method == "ping" ? "server/discover" : method
        return (method, enveloped(values, method: method, params: method == "server/discover" ? nil : params) ?? params)
    }

    /// `params` (an object, or none) with the envelope in its `_meta`.
    private func enveloped(_ values: ModernRequestEnvelope.Values, method: String, params: [UInt8]?) -> [UInt8]? {
        let wrapped = JSONRPCEncoder.request(idBytes: Array("0".utf8), method: method, params: params)
        guard case .single(let message)? = try? scanner.scan(wrapped) else { return nil }
        let enveloped = ModernRequestEnvelope.inserting(values, into: message)
        guard case .single(let result)? = try? scanner.scan(enveloped), let range = result.envelope.paramsRange else { return nil }
        return result.rawBytes(range)
    }

    /// A client's request forwarded to this upstream: a 2026-07-28 client's keeps its own
    /// envelope; a handshake-era client's gets the proxy's, with the client's capabilities that
    /// the proxy can bridge (it turns an `input_required` answer into requests to the client,
    /// SessionInputBridge.swift). Kept until answered, to be sent again with the client's answers.
    func modernized(forwarded bytes: ByteBuffer, id: Int64, for request: ForwardedRequest) -> ByteBuffer {
        guard var values = modernEnvelope.withLockedValue({ $0 }),
              case .single(let message)? = try? scanner.scan(bytes) else { return bytes }
        var sent = bytes
        if !message.envelope.hasModernEnvelope {
            values.clientCapabilities = request.owner.bridgeableCapabilities
            sent = ModernRequestEnvelope.inserting(values, into: message)
        }
        sentModern.withLockedValue { $0[id] = sent }
        return sent
    }

    /// The request with upstream id `id` as it was sent, once (nil for a handshake-era upstream).
    func takeSent(_ id: Int64) -> ByteBuffer? {
        guard speaksModern.load(ordering: .relaxed) else { return nil }
        return sentModern.withLockedValue { $0.removeValue(forKey: id) }
    }
}
