import JSONRPC

/// One `tools/call` argument as the `Mcp-Param-*` rules see it: found at a `properties` path in
/// `params.arguments`, and rendered the way a client mirrors it into a header (a string as is,
/// a boolean as `true`/`false`, an integral number in canonical decimal).
enum MCPParamArgument: Equatable {
    /// Missing, `null`, or a step of the path is not an object: no header may be sent.
    case absent
    /// A key along the path appears more than once, so readers could disagree on the value.
    case ambiguous
    /// An object or array: it has no header rendering.
    case unrenderable
    /// A string, boolean or number. `text` is what a client sends (before the base64 rule);
    /// `integer` is the canonical decimal of an integral number (e.g. `42` for `42.0`).
    case value(text: String, integer: String?)

    /// The value at `path` in `arguments` (a JSON object, or nil when the call has none).
    static func find(_ path: [String], in arguments: JSONView?, type: XMCPHeaderAnnotations.ValueType) -> MCPParamArgument {
        guard var node = arguments else { return .absent }
        for key in path {
            guard node.kind == .object else { return .absent }
            let matches = node.members.filter { $0.key == key }
            guard let first = matches.first else { return .absent }
            guard matches.count == 1 else { return .ambiguous }
            node = first.value
        }
        switch node.kind {
        case .null: return .absent
        case .object, .array: return .unrenderable
        case .string: return .value(text: node.string ?? "", integer: nil)
        case .bool: return .value(text: node.bool == true ? "true" : "false", integer: nil)
        case .number:
            let token = String(decoding: node.rawBytes, as: UTF8.self)
            let integer = DecimalText.integral(jsonNumber: token)
            // An integer-typed argument, or an integer literal, is written in canonical decimal
            // (`-0` as `0`, as the SDK renders it); other numbers keep their JSON token.
            let isLiteral = token.utf8.allSatisfy { $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            return .value(text: type == .integer || isLiteral ? (integer ?? token) : token, integer: integer)
        }
    }

    /// True when the decoded header `header` agrees with this value, for an argument of `type`.
    /// An integer-typed argument holding an integral number compares numerically with a plain
    /// decimal header (`42` matches `42.0` and `042`, not `42.5` or `4.2e1`); anything else
    /// compares the text exactly.
    func matches(header: String, type: XMCPHeaderAnnotations.ValueType) -> Bool {
        guard case .value(let text, let integer) = self else { return false }
        if type == .integer, let integer, let headerInteger = DecimalText.plainDecimal(header) {
            return headerInteger.integral == integer && headerInteger.isIntegral
        }
        return header == text
    }
}

/// Exact decimal arithmetic on number text, without going through floating point (so values
/// past 2^53 still compare exactly).
enum DecimalText {
    /// Longest integral value handled, in digits; longer ones fall back to text comparison.
    static let maxDigits = 40

    /// The canonical decimal (no leading zeros, no `-0`) of a JSON number token whose value is
    /// integral, e.g. `42` for `42`, `42.0`, `4.2e1` or `420e-1`; nil when it has a fraction, is
    /// not a JSON number, or exceeds `maxDigits`.
    static func integral(jsonNumber token: String) -> String? {
        var bytes = Substring(token).utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var mantissa: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var inFraction = false
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") {
                guard !inFraction else { return nil }
                inFraction = true
                continue
            }
            guard isDigit(byte) else { return nil }
            mantissa.append(byte)
            if inFraction { fractionDigits += 1 }
        }
        guard !mantissa.isEmpty else { return nil }
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                exponentNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty, bytes.allSatisfy(isDigit), bytes.count <= 4 else { return nil }
            exponent = Int(String(decoding: bytes, as: UTF8.self)) ?? 0
            if exponentNegative { exponent = -exponent }
        }
        var shift = exponent - fractionDigits
        // Drop trailing zeros a negative shift removes; any other digit there is a fraction.
        while shift < 0 {
            guard let last = mantissa.last else { break }
            guard last == UInt8(ascii: "0") else { return nil }
            mantissa.removeLast()
            shift += 1
        }
        while mantissa.first == UInt8(ascii: "0") { mantissa.removeFirst() }
        if mantissa.isEmpty { return "0" }
        guard mantissa.count + shift <= maxDigits else { return nil }
        mantissa += repeatElement(UInt8(ascii: "0"), count: shift)
        return (negative ? "-" : "") + String(decoding: mantissa, as: UTF8.self)
    }

    /// A header in plain decimal (`-?[0-9]+(\.[0-9]+)?`): the canonical integral part and whether
    /// the fraction (if any) is all zeros; nil for any other text (exponents included).
    static func plainDecimal(_ text: String) -> (integral: String, isIntegral: Bool)? {
        var bytes = Substring(text).utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        let whole = bytes.prefix(while: isDigit)
        guard !whole.isEmpty else { return nil }
        bytes = bytes.dropFirst(whole.count)
        var isIntegral = true
        if !bytes.isEmpty {
            guard bytes.first == UInt8(ascii: "."), bytes.count > 1 else { return nil }
            let fraction = bytes.dropFirst()
            guard fraction.allSatisfy(isDigit) else { return nil }
            isIntegral = fraction.allSatisfy { $0 == UInt8(ascii: "0") }
        }
        let digits = whole.drop { $0 == UInt8(ascii: "0") }
        guard !digits.isEmpty else { return ("0", isIntegral) }
        return ((negative ? "-" : "") + String(decoding: digits, as: UTF8.self), isIntegral)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
