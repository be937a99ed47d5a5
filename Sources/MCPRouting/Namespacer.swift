/// Turns an upstream's item names into names a client may see: prefixed, restricted to
/// `[A-Za-z0-9_.-]`, and no longer than `maxLength`.
public struct Namespacer: Sendable, Equatable {
    /// The shortest length limit accepted; smaller values are raised to it so that an alias keeps
    /// a readable head before its hash.
    public static let minimumLength = 16

    /// The length of the `-` and eight hex digits that end a shortened alias.
    static let hashSuffixLength = 9

    /// The longest exposed name, in bytes (all allowed characters are ASCII).
    public let maxLength: Int

    /// Creates a namespacer; `maxLength` below `minimumLength` is raised to it. MCP clients commonly
    /// limit tool names to 64 characters.
    public init(maxLength: Int = 64) {
        self.maxLength = Swift.max(maxLength, Self.minimumLength)
    }

    /// The exposed name for `original` under `style`.
    ///
    /// Applies the prefix and separator, replaces every Unicode scalar outside `[A-Za-z0-9_.-]` with
    /// `_`, and when the result is longer than `maxLength` shortens it to a readable head, `-`, and
    /// eight hex digits of the FNV-1a 64 hash of the full un-sanitised name, `maxLength` bytes in all.
    /// The result is the same in every process.
    public func exposedName(original: String, style: NamespaceStyle) -> String {
        switch style {
        case .none:
            legalName(original)
        case .prefix(let prefix, let separator):
            legalName(prefix + separator + original)
        }
    }

    /// Sanitises and, if needed, shortens an already assembled full name (the last step of
    /// `exposedName(original:style:)`).
    public func legalName(_ fullName: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Swift.min(fullName.utf8.count, maxLength + 1))
        for scalar in fullName.unicodeScalars {
            bytes.append(Self.isAllowed(scalar) ? UInt8(truncatingIfNeeded: scalar.value) : UInt8(ascii: "_"))
        }
        guard bytes.count > maxLength else { return String(decoding: bytes, as: UTF8.self) }
        let hash = FNV1a.hash(fullName.utf8)
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        var alias = bytes[0..<(maxLength - Self.hashSuffixLength)]
        alias.append(UInt8(ascii: "-"))
        alias.append(contentsOf: Self.hex(folded))
        return String(decoding: alias, as: UTF8.self)
    }

    /// Whether a scalar may appear in an exposed name.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    /// Eight lowercase hex digits, most significant first.
    static func hex(_ value: UInt32) -> [UInt8] {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return (0..<8).reversed().map { shift in digits[Int((value >> UInt32(shift * 4)) & 0xF)] }
    }
}
