/// An id-like token (id, progress token, cancelled request id) as found in the bytes.
struct IDToken {
    enum Kind {
        case string(hasEscapes: Bool)
        case integer(Int64)
        case null
        /// Not a string or integer: what was found instead.
        case invalid(ScannedValueKind)
        /// An integer outside the signed 64-bit range.
        case outOfRange
    }

    var start: Int
    var end: Int
    var kind: Kind

    /// True for a string or an integer within Int64.
    var isValid: Bool {
        switch kind {
        case .string, .integer: return true
        case .null, .invalid, .outOfRange: return false
        }
    }

    /// What was found, for error messages.
    var found: String {
        switch kind {
        case .string: return "a string"
        case .integer: return "an integer"
        case .null: return "null"
        case .invalid(let kind): return kind.article
        case .outOfRange: return "an integer outside the signed 64-bit range"
        }
    }
}

/// A reason the message is an invalid request; reported only once the JSON itself proved valid.
struct EnvelopeProblem {
    var message: String
    var offset: Int
}

/// Everything one pass over a message object records. Offsets are relative to the scanned buffer.
struct EnvelopeScan {
    var seen: UInt32 = 0
    var id: IDToken?
    var method: StringToken?
    var params: Range<Int>?
    var result: Range<Int>?
    var error: Range<Int>?
    var errorCode: Int?
    var name: StringToken?
    var uri: StringToken?
    var refName: StringToken?
    var refURI: StringToken?
    var metaProgressToken: IDToken?
    /// `params._meta` holds `io.modelcontextprotocol/protocolVersion` (a 2026-07-28 request).
    var modernMeta = false
    var progressToken: IDToken?
    var requestId: IDToken?
    var problem: EnvelopeProblem?

    func has(_ field: EnvelopeField) -> Bool {
        seen & field.bit != 0
    }

    /// Marks `field` seen; on a second occurrence records a problem and returns false.
    mutating func first(_ field: EnvelopeField, keyAt offset: Int) -> Bool {
        if has(field) {
            flag(
                "duplicate \"\(field.path)\" member; each envelope key may appear only once, since peers that read different copies could be told different things",
                at: offset)
            return false
        }
        seen |= field.bit
        return true
    }

    /// Records the first problem only.
    mutating func flag(_ message: @autoclosure () -> String, at offset: Int) {
        if problem == nil {
            problem = EnvelopeProblem(message: message(), offset: offset)
        }
    }
}

extension JSONCursor {
    /// At `{` of a message object: validates it and records the envelope.
    mutating func scanEnvelope(parentDepth: Int) throws(JSONRPCScanError) -> EnvelopeScan {
        var scan = EnvelopeScan()
        let depth = parentDepth + 1
        guard try enterObject(depth: depth) else { return scan }
        repeat {
            let key = try readKey()
            let valueStart = pos
            let which = classifyKey(key) { bytes, count -> TopKey in
                if JSONCursor.equals(bytes, count, "id") { return .id }
                if JSONCursor.equals(bytes, count, "method") { return .method }
                if JSONCursor.equals(bytes, count, "params") { return .params }
                if JSONCursor.equals(bytes, count, "jsonrpc") { return .jsonrpc }
                if JSONCursor.equals(bytes, count, "result") { return .result }
                if JSONCursor.equals(bytes, count, "error") { return .error }
                return .other
            }
            switch which {
            case .jsonrpc:
                _ = scan.first(.jsonrpc, keyAt: key.start)
                let kind = try skipValue(parentDepth: depth)
                if !(kind.isString && contentEquals(from: valueStart, to: pos, hasEscapes: kind == .escapedString, "2.0")) {
                    scan.flag("\"jsonrpc\" must be the string \"2.0\"", at: valueStart)
                }
            case .id:
                let first = scan.first(.id, keyAt: key.start)
                let token = try scanIDToken(parentDepth: depth)
                if first { scan.id = token }
            case .method:
                let first = scan.first(.method, keyAt: key.start)
                let kind = try skipValue(parentDepth: depth)
                if !kind.isString {
                    scan.flag("\"method\" must be a string, found \(kind.article)", at: valueStart)
                } else if first {
                    scan.method = StringToken(start: valueStart, end: pos, hasEscapes: kind == .escapedString)
                }
            case .params:
                let first = scan.first(.params, keyAt: key.start)
                if first, peek(UInt8(ascii: "{")) {
                    try walkParams(&scan, depth: depth + 1)
                } else {
                    let kind = try skipValue(parentDepth: depth)
                    if kind != .object, kind != .array {
                        scan.flag("\"params\" must be an object or an array, found \(kind.article)", at: valueStart)
                    }
                }
                if first { scan.params = valueStart..<pos }
            case .result:
                let first = scan.first(.result, keyAt: key.start)
                _ = try skipValue(parentDepth: depth)
                if first { scan.result = valueStart..<pos }
            case .error:
                let first = scan.first(.error, keyAt: key.start)
                if first, peek(UInt8(ascii: "{")) {
                    try walkError(&scan, depth: depth + 1)
                } else {
                    let kind = try skipValue(parentDepth: depth)
                    if kind != .object {
                        scan.flag(
                            "\"error\" must be an object with an integer \"code\" and a string \"message\", found \(kind.article)",
                            at: valueStart)
                    }
                }
                if first { scan.error = valueStart..<pos }
            case .other:
                _ = try skipValue(parentDepth: depth)
            }
        } while try nextMember()
        return scan
    }

    /// At `{` of `params`: records name, uri, _meta.progressToken, requestId, ref and progressToken.
    private mutating func walkParams(_ scan: inout EnvelopeScan, depth: Int) throws(JSONRPCScanError) {
        guard try enterObject(depth: depth) else { return }
        repeat {
            let key = try readKey()
            let which = classifyKey(key) { bytes, count -> ParamsKey in
                if JSONCursor.equals(bytes, count, "name") { return .name }
                if JSONCursor.equals(bytes, count, "uri") { return .uri }
                if JSONCursor.equals(bytes, count, "_meta") { return .meta }
                if JSONCursor.equals(bytes, count, "progressToken") { return .progressToken }
                if JSONCursor.equals(bytes, count, "requestId") { return .requestId }
                if JSONCursor.equals(bytes, count, "ref") { return .ref }
                return .other
            }
            switch which {
            case .name:
                let first = scan.first(.name, keyAt: key.start)
                let token = try scanStringMember(parentDepth: depth)
                if first { scan.name = token }
            case .uri:
                let first = scan.first(.uri, keyAt: key.start)
                let token = try scanStringMember(parentDepth: depth)
                if first { scan.uri = token }
            case .meta:
                if scan.first(.meta, keyAt: key.start), peek(UInt8(ascii: "{")) {
                    try walkMeta(&scan, depth: depth + 1)
                } else {
                    _ = try skipValue(parentDepth: depth)
                }
            case .requestId:
                let first = scan.first(.requestId, keyAt: key.start)
                let token = try scanIDToken(parentDepth: depth)
                if first { scan.requestId = token }
            case .ref:
                if scan.first(.ref, keyAt: key.start), peek(UInt8(ascii: "{")) {
                    try walkRef(&scan, depth: depth + 1)
                } else {
                    _ = try skipValue(parentDepth: depth)
                }
            case .progressToken:
                let first = scan.first(.progressToken, keyAt: key.start)
                let token = try scanIDToken(parentDepth: depth)
                if first { scan.progressToken = token }
            case .other:
                _ = try skipValue(parentDepth: depth)
            }
        } while try nextMember()
    }

    /// At `{` of `params._meta`: records progressToken, and whether the 2026-07-28 envelope's
    /// protocol version key is there.
    private mutating func walkMeta(_ scan: inout EnvelopeScan, depth: Int) throws(JSONRPCScanError) {
        guard try enterObject(depth: depth) else { return }
        repeat {
            let key = try readKey()
            let kind = classifyKey(key) { bytes, count -> MetaKey in
                if JSONCursor.equals(bytes, count, "progressToken") { return .progressToken }
                if JSONCursor.equals(bytes, count, "io.modelcontextprotocol/protocolVersion") { return .protocolVersion }
                return .other
            }
            switch kind {
            case .progressToken:
                let first = scan.first(.metaProgressToken, keyAt: key.start)
                let token = try scanIDToken(parentDepth: depth)
                if first { scan.metaProgressToken = token }
            case .protocolVersion:
                scan.modernMeta = true
                _ = try skipValue(parentDepth: depth)
            case .other:
                _ = try skipValue(parentDepth: depth)
            }
        } while try nextMember()
    }

    /// At `{` of `params.ref`: records name and uri.
    private mutating func walkRef(_ scan: inout EnvelopeScan, depth: Int) throws(JSONRPCScanError) {
        guard try enterObject(depth: depth) else { return }
        repeat {
            let key = try readKey()
            let field = classifyKey(key) { bytes, count -> EnvelopeField? in
                if JSONCursor.equals(bytes, count, "name") { return .refName }
                if JSONCursor.equals(bytes, count, "uri") { return .refURI }
                return nil
            }
            guard let field else {
                _ = try skipValue(parentDepth: depth)
                continue
            }
            let first = scan.first(field, keyAt: key.start)
            let token = try scanStringMember(parentDepth: depth)
            if first {
                if field == .refName { scan.refName = token } else { scan.refURI = token }
            }
        } while try nextMember()
    }

    /// At `{` of `error`: checks the integer code and the string message.
    private mutating func walkError(_ scan: inout EnvelopeScan, depth: Int) throws(JSONRPCScanError) {
        let objectStart = pos
        if try enterObject(depth: depth) {
            repeat {
                let key = try readKey()
                let valueStart = pos
                let field = classifyKey(key) { bytes, count -> EnvelopeField? in
                    if JSONCursor.equals(bytes, count, "code") { return .errorCode }
                    if JSONCursor.equals(bytes, count, "message") { return .errorMessage }
                    return nil
                }
                guard let field else {
                    _ = try skipValue(parentDepth: depth)
                    continue
                }
                let first = scan.first(field, keyAt: key.start)
                let kind = try skipValue(parentDepth: depth)
                if field == .errorCode {
                    if kind == .integer, let code = parseInt64(from: valueStart, to: pos), let small = Int(exactly: code) {
                        if first { scan.errorCode = small }
                    } else {
                        scan.flag("\"error.code\" must be an integer, found \(kind.article)", at: valueStart)
                    }
                } else if !kind.isString {
                    scan.flag("\"error.message\" must be a string, found \(kind.article)", at: valueStart)
                }
            } while try nextMember()
        }
        if !scan.has(.errorCode) {
            scan.flag("\"error\" has no integer \"code\"", at: objectStart)
        } else if !scan.has(.errorMessage) {
            scan.flag("\"error\" has no string \"message\"", at: objectStart)
        }
    }

    /// Skips a value; returns its token if it is a string.
    private mutating func scanStringMember(parentDepth: Int) throws(JSONRPCScanError) -> StringToken? {
        let start = pos
        let kind = try skipValue(parentDepth: parentDepth)
        guard kind.isString else { return nil }
        return StringToken(start: start, end: pos, hasEscapes: kind == .escapedString)
    }

    /// Skips a value and classifies it as an id.
    private mutating func scanIDToken(parentDepth: Int) throws(JSONRPCScanError) -> IDToken {
        let start = pos
        let kind = try skipValue(parentDepth: parentDepth)
        let idKind: IDToken.Kind
        switch kind {
        case .string: idKind = .string(hasEscapes: false)
        case .escapedString: idKind = .string(hasEscapes: true)
        case .integer:
            if let value = parseInt64(from: start, to: pos) {
                idKind = .integer(value)
            } else {
                idKind = .outOfRange
            }
        case .null: idKind = .null
        default: idKind = .invalid(kind)
        }
        return IDToken(start: start, end: pos, kind: idKind)
    }

    // MARK: key and string comparison

    /// True if the byte at `pos` exists and is `byte`.
    @inline(__always)
    func peek(_ byte: UInt8) -> Bool {
        pos < end && base[pos] == byte
    }

    /// Runs `classify` over a key's decoded bytes (decoding only if the key has escapes).
    func classifyKey<Key>(_ key: StringToken, _ classify: (UnsafePointer<UInt8>, Int) -> Key) -> Key {
        if !key.hasEscapes {
            return classify(base + key.contentStart, key.contentEnd - key.contentStart)
        }
        let decoded = JSONStringDecoding.bytes(base, from: key.contentStart, to: key.contentEnd)
        return decoded.withUnsafeBufferPointer { buffer in
            classify(buffer.baseAddress ?? base, buffer.count)
        }
    }

    /// True if the string token `start..<stop` (quotes included) decodes to `literal`.
    func contentEquals(from start: Int, to stop: Int, hasEscapes: Bool, _ literal: StaticString) -> Bool {
        classifyKey(StringToken(start: start, end: stop, hasEscapes: hasEscapes)) { bytes, count in
            JSONCursor.equals(bytes, count, literal)
        }
    }

    /// Byte equality with a static string.
    @inline(__always)
    static func equals(_ bytes: UnsafePointer<UInt8>, _ count: Int, _ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        var index = 0
        while index < count {
            if bytes[index] != other[index] { return false }
            index += 1
        }
        return true
    }
}
