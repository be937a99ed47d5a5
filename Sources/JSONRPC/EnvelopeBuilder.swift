extension JSONCursor {
    /// Turns a scan into an envelope (ranges relative to `messageStart`), or the invalid-request
    /// error that explains what is wrong. Decodes strings only for the fields that apply.
    @inline(__always)
    func buildEnvelope(_ scan: EnvelopeScan, messageStart: Int) throws(JSONRPCScanError) -> Envelope {
        let scannedID = scan.id
        func fail(_ message: String, at offset: Int) -> JSONRPCScanError {
            invalidRequest(message, at: offset, id: scannedID)
        }
        if let problem = scan.problem {
            throw fail(problem.message, at: problem.offset)
        }
        guard scan.has(.jsonrpc) else {
            throw fail("missing \"jsonrpc\":\"2.0\"", at: messageStart)
        }

        var envelope = Envelope(kind: .notification)
        if let method = scan.method {
            if scan.result != nil || scan.error != nil {
                throw fail(
                    "a message cannot carry both \"method\" and \"result\" or \"error\"; send requests and responses separately",
                    at: method.start)
            }
            if let id = scan.id {
                guard id.isValid else {
                    if case .null = id.kind {
                        throw fail(
                            "a request id must not be null; use a string or an integer, or omit \"id\" for a notification",
                            at: id.start)
                    }
                    throw fail("\"id\" must be a string or an integer, found \(id.found)", at: id.start)
                }
                envelope.kind = .request
            } else {
                envelope.kind = .notification
            }
            envelope.method = decodeMethod(method)
            envelope.hasModernEnvelope = scan.modernMeta
        } else if scan.result != nil, scan.error != nil {
            throw fail("a response must carry either \"result\" or \"error\", not both", at: messageStart)
        } else if scan.result != nil {
            guard let id = scan.id, id.isValid else {
                let found = scan.id?.found ?? "no id"
                throw fail("a success response needs a string or integer \"id\", found \(found)", at: scan.id?.start ?? messageStart)
            }
            envelope.kind = .successResponse
        } else if scan.error != nil {
            if let id = scan.id, !id.isValid {
                if case .null = id.kind {} else {
                    throw fail("\"id\" of an error response must be a string, an integer or null, found \(id.found)", at: id.start)
                }
            }
            envelope.kind = .errorResponse
        } else {
            throw fail(
                "neither \"method\" (request or notification) nor \"result\"/\"error\" (response) is present",
                at: messageStart)
        }

        if let id = scan.id, id.isValid {
            envelope.id = makeID(id)
            envelope.idRange = relative(id.start..<id.end, to: messageStart)
        }
        envelope.paramsRange = scan.params.map { relative($0, to: messageStart) }
        envelope.resultRange = scan.result.map { relative($0, to: messageStart) }
        envelope.errorRange = scan.error.map { relative($0, to: messageStart) }
        envelope.errorCode = envelope.kind == .errorResponse ? scan.errorCode : nil

        if envelope.method != nil {
            if let token = scan.name {
                envelope.name = decodeString(token)
                envelope.nameRange = relative(token.start..<token.end, to: messageStart)
            }
            if let token = scan.uri {
                envelope.uri = decodeString(token)
                envelope.uriRange = relative(token.start..<token.end, to: messageStart)
            }
            if let token = scan.refName {
                envelope.refName = decodeString(token)
                envelope.refNameRange = relative(token.start..<token.end, to: messageStart)
            }
            if let token = scan.refURI {
                envelope.refURI = decodeString(token)
                envelope.refURIRange = relative(token.start..<token.end, to: messageStart)
            }
        }

        let progressSource: (token: IDToken, path: String)? =
            switch (envelope.kind, envelope.method) {
            case (.request, _): scan.metaProgressToken.map { ($0, "params._meta.progressToken") }
            case (.notification, .progress?): scan.progressToken.map { ($0, "params.progressToken") }
            default: nil
            }
        if let (token, path) = progressSource {
            guard token.isValid else {
                throw fail("\"\(path)\" must be a string or an integer, found \(token.found)", at: token.start)
            }
            envelope.progressToken = makeID(token)
            envelope.progressTokenRange = relative(token.start..<token.end, to: messageStart)
        }
        if envelope.kind == .notification, envelope.method == .cancelled, let token = scan.requestId {
            guard token.isValid else {
                throw fail("\"params.requestId\" must be a string or an integer, found \(token.found)", at: token.start)
            }
            envelope.cancelledRequestID = makeID(token)
            envelope.cancelledRequestIDRange = relative(token.start..<token.end, to: messageStart)
        }
        return envelope
    }

    /// The invalid-request error, carrying the id token when it is valid (so it can be answered).
    @inline(never)
    private func invalidRequest(_ message: String, at offset: Int, id: IDToken?) -> JSONRPCScanError {
        var idBytes: [UInt8]?
        if let id, id.isValid {
            idBytes = Array(UnsafeBufferPointer(start: base + id.start, count: id.end - id.start))
        }
        return JSONRPCScanError(
            kind: .invalidRequest, message: "invalid JSON-RPC message at byte \(offset): \(message)",
            offset: offset, idBytes: idBytes)
    }

    private func relative(_ range: Range<Int>, to start: Int) -> Range<Int> {
        (range.lowerBound - start)..<(range.upperBound - start)
    }

    /// The decoded content of a string token.
    func decodeString(_ token: StringToken) -> String {
        JSONStringDecoding.string(base, from: token.contentStart, to: token.contentEnd, hasEscapes: token.hasEscapes)
    }

    /// A valid id token as a value.
    private func makeID(_ token: IDToken) -> JSONRPCID? {
        switch token.kind {
        case .integer(let value): return .number(value)
        case .string(let hasEscapes):
            return .string(decodeString(StringToken(start: token.start, end: token.end, hasEscapes: hasEscapes)))
        case .null, .invalid, .outOfRange: return nil
        }
    }

    /// The method; known names do not allocate.
    private func decodeMethod(_ token: StringToken) -> MCPMethod {
        let known = classifyKey(token) { bytes, count in
            MCPMethod.known(UnsafeRawBufferPointer(start: bytes, count: count))
        }
        return known ?? .other(decodeString(token))
    }
}
