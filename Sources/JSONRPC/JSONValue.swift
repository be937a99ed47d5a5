import NIOCore

/// Arbitrary JSON for off-hot-path models: configuration, capabilities, handshake data.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer that fits Int64 (integer tokens outside that range become `.double`).
    case int(Int64)
    /// A number with a fraction or exponent, or an integer outside Int64.
    case double(Double)
    /// A decoded string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object (unordered; the encoding sorts keys).
    case object([String: JSONValue])

    /// Converts a view; an object with duplicate keys keeps the first occurrence.
    public init(_ view: JSONView) {
        switch view.kind {
        case .null: self = .null
        case .bool: self = .bool(view.bool ?? false)
        case .number:
            if let int = view.int64 {
                self = .int(int)
            } else {
                self = .double(view.double ?? 0)
            }
        case .string: self = .string(view.string ?? "")
        case .array: self = .array(view.elements.map(JSONValue.init))
        case .object:
            var object: [String: JSONValue] = [:]
            for (key, value) in view.members where object[key] == nil {
                object[key] = JSONValue(value)
            }
            self = .object(object)
        }
    }

    /// Validates and converts JSON bytes.
    public init(parsing buffer: ByteBuffer, limits: ScanLimits = .default) throws(JSONRPCScanError) {
        self.init(try JSONView.parse(buffer, limits: limits))
    }

    /// Validates and converts JSON bytes.
    public init(parsing bytes: [UInt8], limits: ScanLimits = .default) throws(JSONRPCScanError) {
        try self.init(parsing: ByteBuffer(bytes: bytes), limits: limits)
    }

    /// An object member; nil if absent or not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    /// The integer, if this is one.
    public var intValue: Int64? {
        if case .int(let int) = self { return int }
        return nil
    }

    /// The number as a Double, for `.int` and `.double`.
    public var doubleValue: Double? {
        switch self {
        case .int(let int): return Double(int)
        case .double(let double): return double
        default: return nil
        }
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// Compact JSON; object keys sorted by their UTF-8 bytes for determinism; non-finite doubles
    /// (which JSON cannot express) become `null`. No Foundation.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        append(to: &bytes)
        return bytes
    }

    /// Appends the compact encoding.
    public func append(to bytes: inout [UInt8]) {
        switch self {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let bool):
            bytes.append(contentsOf: (bool ? "true" : "false").utf8)
        case .int(let int):
            DecimalWriter.append(int, to: &bytes)
        case .double(let double):
            if double.isFinite {
                bytes.append(contentsOf: double.description.utf8)
            } else {
                bytes.append(contentsOf: "null".utf8)
            }
        case .string(let string):
            JSONString.append(string, to: &bytes)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.append(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            let keys = object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONString.append(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                object[key]?.append(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
