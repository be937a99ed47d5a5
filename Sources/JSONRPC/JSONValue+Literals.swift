/// `nil` is `.null`.
extension JSONValue: ExpressibleByNilLiteral {
    /// `.null`.
    public init(nilLiteral: ()) {
        self = .null
    }
}

/// `true` / `false`.
extension JSONValue: ExpressibleByBooleanLiteral {
    /// `.bool`.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

/// Integer literals.
extension JSONValue: ExpressibleByIntegerLiteral {
    /// `.int`.
    public init(integerLiteral value: Int64) {
        self = .int(value)
    }
}

/// Floating-point literals.
extension JSONValue: ExpressibleByFloatLiteral {
    /// `.double`.
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

/// String literals.
extension JSONValue: ExpressibleByStringLiteral {
    /// `.string`.
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

/// Array literals.
extension JSONValue: ExpressibleByArrayLiteral {
    /// `.array`.
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}

/// Dictionary literals; a repeated key keeps the last value.
extension JSONValue: ExpressibleByDictionaryLiteral {
    /// `.object`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
