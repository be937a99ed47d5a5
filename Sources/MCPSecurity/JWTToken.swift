import MCPRouting

/// A compact JWS split and decoded as far as is possible without a key.
struct JWTToken {
    /// The token's bytes.
    let bytes: [UInt8]
    /// The bytes the signature covers (`header.payload`).
    let signingInput: ArraySlice<UInt8>
    /// The decoded header's `alg`.
    let algorithm: String
    /// The decoded header's `kid`, if any.
    let kid: String?
    /// The decoded signature.
    let signature: [UInt8]
    /// The decoded payload JSON bytes (not yet parsed).
    let payload: [UInt8]

    /// Whether `token` has the shape of a compact JWS: three base64url parts separated by dots,
    /// header and payload non-empty (the signature may be empty, as with `alg: none`).
    static func looksLikeJWT(_ token: String) -> Bool {
        var dots = 0
        var partLength = 0
        for byte in token.utf8 {
            if byte == UInt8(ascii: ".") {
                if partLength == 0 { return false }
                dots += 1
                if dots > 2 { return false }
                partLength = 0
            } else {
                guard Base64URL.sextet(byte) != nil else { return false }
                partLength += 1
            }
        }
        return dots == 2
    }

    /// Splits and decodes; throws `.malformed` (or `.disallowedAlgorithm` for a header without a
    /// usable `alg`) without touching any key.
    init(_ token: String) throws(AuthenticationFailure) {
        bytes = Array(token.utf8)
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(secondDot + 1)...].contains(UInt8(ascii: ".")),
            firstDot > 0, secondDot > firstDot + 1
        else { throw AuthenticationFailure(.malformed) }
        signingInput = bytes[..<secondDot]
        guard let headerBytes = Base64URL.decode(bytes[..<firstDot], canonical: false),
            let payloadBytes = Base64URL.decode(bytes[(firstDot + 1)..<secondDot], canonical: false),
            let signatureBytes = Base64URL.decode(bytes[(secondDot + 1)...], canonical: false)
        else { throw AuthenticationFailure(.malformed) }
        guard let header = try? JSONValue(parsing: headerBytes), case .object(let fields) = header else {
            throw AuthenticationFailure(.malformed)
        }
        guard case .string(let alg)? = fields["alg"] else { throw AuthenticationFailure(.malformed) }
        if let kidValue = fields["kid"] {
            guard case .string(let kid) = kidValue else { throw AuthenticationFailure(.malformed) }
            self.kid = kid
        } else {
            self.kid = nil
        }
        // Critical extensions (RFC 7515 §4.1.11) are not understood, so such a token is refused.
        if fields["crit"] != nil { throw AuthenticationFailure(.malformed) }
        algorithm = alg
        signature = signatureBytes
        payload = payloadBytes
    }
}
