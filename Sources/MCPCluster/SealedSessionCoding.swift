/// The plaintext layout of a ``SealedSession``: fixed-order fields, integers big-endian, byte
/// strings and strings prefixed by a 16-bit length, lists by an 8-bit count. Compact and
/// versioned by the envelope, so no field names travel in every id.
enum SealedSessionCoding {
    static func encode(_ session: SealedSession) throws(SessionSealError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + session.clientCapabilities.count + session.clientInfo.count)
        try bytes(session.nonce, into: &out)
        try string(session.principalKey, into: &out)
        try string(session.subject, into: &out)
        try count(session.roles.count, into: &out)
        for role in session.roles { try string(role, into: &out) }
        try string(session.protocolVersion, into: &out)
        out.append(session.era.rawValue)
        try bytes(session.clientCapabilities, into: &out)
        try bytes(session.clientInfo, into: &out)
        try string(session.endpoint, into: &out)
        try count(session.upstreamSessions.count, into: &out)
        for entry in session.upstreamSessions {
            try string(entry.upstream, into: &out)
            try string(entry.sessionID, into: &out)
        }
        integer(session.createdAt, into: &out)
        integer(session.expiresAt, into: &out)
        return out
    }

    static func decode(_ input: [UInt8]) throws(SessionSealError) -> SealedSession {
        var reader = Reader(input: input)
        let nonce = try reader.bytes()
        let principalKey = try reader.string()
        let subject = try reader.string()
        var roles: [String] = []
        for _ in 0..<(try reader.byte()) { roles.append(try reader.string()) }
        let version = try reader.string()
        guard let era = SealedSession.Era(rawValue: try reader.byte()) else { throw .malformed }
        let capabilities = try reader.bytes()
        let clientInfo = try reader.bytes()
        let endpoint = try reader.string()
        var upstreams: [SealedSession.UpstreamSession] = []
        for _ in 0..<(try reader.byte()) {
            upstreams.append(SealedSession.UpstreamSession(upstream: try reader.string(), sessionID: try reader.string()))
        }
        let createdAt = try reader.integer()
        let expiresAt = try reader.integer()
        guard reader.atEnd else { throw .malformed }
        return SealedSession(
            nonce: nonce, principalKey: principalKey, subject: subject, roles: roles, protocolVersion: version, era: era,
            clientCapabilities: capabilities, clientInfo: clientInfo, endpoint: endpoint, upstreamSessions: upstreams,
            createdAt: createdAt, expiresAt: expiresAt)
    }

    private static func bytes(_ value: [UInt8], into out: inout [UInt8]) throws(SessionSealError) {
        guard value.count <= Int(UInt16.max) else { throw .tooLarge(limit: SessionSealer.maxPlaintextBytes) }
        out.append(UInt8(value.count >> 8))
        out.append(UInt8(value.count & 0xFF))
        out += value
    }

    private static func string(_ value: String, into out: inout [UInt8]) throws(SessionSealError) {
        try bytes(Array(value.utf8), into: &out)
    }

    private static func count(_ value: Int, into out: inout [UInt8]) throws(SessionSealError) {
        guard value <= 255 else { throw .tooLarge(limit: SessionSealer.maxPlaintextBytes) }
        out.append(UInt8(value))
    }

    private static func integer(_ value: UInt64, into out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
    }

    private struct Reader {
        let input: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == input.count }

        mutating func byte() throws(SessionSealError) -> UInt8 {
            guard offset < input.count else { throw .malformed }
            defer { offset += 1 }
            return input[offset]
        }

        mutating func bytes() throws(SessionSealError) -> [UInt8] {
            let length = Int(try byte()) << 8 | Int(try byte())
            guard input.count - offset >= length else { throw .malformed }
            defer { offset += length }
            return Array(input[offset..<offset + length])
        }

        mutating func string() throws(SessionSealError) -> String {
            let raw = try bytes()
            guard let text = String(validating: raw, as: UTF8.self) else { throw .malformed }
            return text
        }

        mutating func integer() throws(SessionSealError) -> UInt64 {
            var value: UInt64 = 0
            for _ in 0..<8 { value = value << 8 | UInt64(try byte()) }
            return value
        }
    }
}
