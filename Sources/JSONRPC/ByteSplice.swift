/// One edit for `JSONRPCMessage.splicing(_:)`: replace the bytes of `range` with `replacement`.
public struct ByteSplice: Sendable, Equatable {
    /// Byte offsets relative to the message's first byte.
    public var range: Range<Int>
    /// The new bytes (raw JSON, e.g. `JSONRPCID.jsonBytes`).
    public var replacement: [UInt8]

    /// Creates an edit.
    public init(range: Range<Int>, replacement: [UInt8]) {
        self.range = range
        self.replacement = replacement
    }
}

/// Why `JSONRPCMessage.validatedSplicing(_:)` refused a set of edits.
public struct ByteSpliceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The edit that was refused.
    public var edit: ByteSplice
    /// What is wrong with it and what to do.
    public var message: String

    /// Creates an error.
    public init(edit: ByteSplice, message: String) {
        self.edit = edit
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
